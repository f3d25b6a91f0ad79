using Manta.Broker.Subscriptions;
using Manta.Protocol;

namespace Manta.Broker.Routing;

/// <summary>One session's delivery built from several matching subscriptions.</summary>
internal struct MergedDelivery
{
    private uint[]? _first;
    private List<uint>? _more;

    public QualityOfService QoS;
    public bool Retain;

    public static MergedDelivery Start(QualityOfService qos, bool retain, Subscription subscription)
        => new() { QoS = qos, Retain = retain, _first = subscription.Identifier == 0 ? null : subscription.Identifiers };

    public void Merge(QualityOfService qos, bool retain, uint identifier)
    {
        if (qos > QoS)
        {
            QoS = qos;
        }

        Retain |= retain;
        if (identifier != 0)
        {
            _more ??= [];
            _more.Add(identifier);
        }
    }

    public readonly uint[]? Identifiers()
    {
        if (_more is null)
        {
            return _first;
        }

        var all = new List<uint>(_more.Count + 1);
        if (_first is not null)
        {
            all.AddRange(_first);
        }

        all.AddRange(_more);
        return [.. all];
    }
}
