using System.Buffers;
using System.Text.Json;
using Manta.Protocol.Properties;

namespace Manta.Storage.Sqlite;

/// <summary>
/// The v5 properties of a will as a small JSON object (the protocol's property codec is internal
/// to Manta.Protocol). Only the properties a will may carry (MQTT 5, 3.1.3.2) are kept:
/// <c>{"willDelayInterval":5,"messageExpiryInterval":60,"payloadFormatIndicator":1,
/// "contentType":"...","responseTopic":"...","correlationData":"base64",
/// "userProperties":[["name","value"],...]}</c>; absent ones are left out.
/// </summary>
internal static class WillPropertiesJson
{
    private const string WillDelayInterval = "willDelayInterval";
    private const string MessageExpiryInterval = "messageExpiryInterval";
    private const string PayloadFormatIndicator = "payloadFormatIndicator";
    private const string ContentType = "contentType";
    private const string ResponseTopic = "responseTopic";
    private const string CorrelationData = "correlationData";
    private const string UserProperties = "userProperties";

    /// <summary>Writes <paramref name="properties"/> as UTF-8 JSON into <paramref name="output"/>.</summary>
    public static void Write(MqttProperties properties, ArrayBufferWriter<byte> output)
    {
        using var json = new Utf8JsonWriter(output);
        json.WriteStartObject();
        if (properties.WillDelayInterval is { } delay)
        {
            json.WriteNumber(WillDelayInterval, delay);
        }

        if (properties.MessageExpiryInterval is { } expiry)
        {
            json.WriteNumber(MessageExpiryInterval, expiry);
        }

        if (properties.PayloadFormatIndicator is { } format)
        {
            json.WriteNumber(PayloadFormatIndicator, format);
        }

        if (properties.ContentType is { } contentType)
        {
            json.WriteString(ContentType, contentType);
        }

        if (properties.ResponseTopic is { } responseTopic)
        {
            json.WriteString(ResponseTopic, responseTopic);
        }

        if (properties.CorrelationData is { } correlation)
        {
            json.WriteBase64String(CorrelationData, correlation);
        }

        if (properties.UserProperties is { } users)
        {
            json.WriteStartArray(UserProperties);
            foreach (var user in users)
            {
                json.WriteStartArray();
                json.WriteStringValue(user.Name);
                json.WriteStringValue(user.Value);
                json.WriteEndArray();
            }

            json.WriteEndArray();
        }

        json.WriteEndObject();
    }

    /// <summary>Reads what <see cref="Write"/> wrote.</summary>
    public static MqttProperties Read(string text)
    {
        using var document = JsonDocument.Parse(text);
        var properties = new MqttProperties();
        foreach (var property in document.RootElement.EnumerateObject())
        {
            switch (property.Name)
            {
                case WillDelayInterval: properties.WillDelayInterval = property.Value.GetUInt32(); break;
                case MessageExpiryInterval: properties.MessageExpiryInterval = property.Value.GetUInt32(); break;
                case PayloadFormatIndicator: properties.PayloadFormatIndicator = property.Value.GetByte(); break;
                case ContentType: properties.ContentType = property.Value.GetString(); break;
                case ResponseTopic: properties.ResponseTopic = property.Value.GetString(); break;
                case CorrelationData: properties.CorrelationData = property.Value.GetBytesFromBase64(); break;
                case UserProperties:
                    var users = new List<UserProperty>(property.Value.GetArrayLength());
                    foreach (var pair in property.Value.EnumerateArray())
                    {
                        users.Add(new UserProperty(pair[0].GetString() ?? string.Empty, pair[1].GetString() ?? string.Empty));
                    }

                    properties.UserProperties = users;
                    break;
            }
        }

        return properties;
    }
}
