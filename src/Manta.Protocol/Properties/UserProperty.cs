namespace Manta.Protocol.Properties;

/// <summary>An MQTT 5 user property: a UTF-8 name/value pair; names may repeat and order is kept.</summary>
public readonly record struct UserProperty(string Name, string Value);
