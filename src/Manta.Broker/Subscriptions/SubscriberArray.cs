namespace Manta.Broker.Subscriptions;

/// <summary>Copy-on-write helpers for the subscriber arrays readers see without locks.</summary>
internal static class SubscriberArray
{
    public static Subscription[] Add(Subscription[] items, Subscription item)
    {
        var result = new Subscription[items.Length + 1];
        items.CopyTo(result, 0);
        result[items.Length] = item;
        return result;
    }

    public static Subscription[] Remove(Subscription[] items, Subscription item)
    {
        var index = Array.IndexOf(items, item);
        if (index < 0)
        {
            return items;
        }

        if (items.Length == 1)
        {
            return [];
        }

        var result = new Subscription[items.Length - 1];
        Array.Copy(items, 0, result, 0, index);
        Array.Copy(items, index + 1, result, index, items.Length - index - 1);
        return result;
    }

    public static Subscription[] Replace(Subscription[] items, Subscription old, Subscription replacement)
    {
        var index = Array.IndexOf(items, old);
        if (index < 0)
        {
            return Add(items, replacement);
        }

        var result = (Subscription[])items.Clone();
        result[index] = replacement;
        return result;
    }
}
