using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace Manta.Server.Tests.Support;

/// <summary>Theory data shared by the MQTTnet tests.</summary>
public static class Versions
{
    /// <summary>The protocol versions MQTTnet 5 speaks that we test: 3.1.1 and 5.0.</summary>
    public static TheoryData<MqttProtocolVersion> MqttNet => [MqttProtocolVersion.V311, MqttProtocolVersion.V500];

    /// <summary>Each MQTTnet version with each QoS.</summary>
    public static TheoryData<MqttProtocolVersion, MqttQualityOfServiceLevel> MqttNetByQoS
    {
        get
        {
            var data = new TheoryData<MqttProtocolVersion, MqttQualityOfServiceLevel>();
            foreach (var version in new[] { MqttProtocolVersion.V311, MqttProtocolVersion.V500 })
            {
                foreach (var qos in new[] { MqttQualityOfServiceLevel.AtMostOnce, MqttQualityOfServiceLevel.AtLeastOnce, MqttQualityOfServiceLevel.ExactlyOnce })
                {
                    data.Add(version, qos);
                }
            }

            return data;
        }
    }

    /// <summary>Each mosquitto -V value with each QoS.</summary>
    public static TheoryData<string, int> MosquittoByQoS
    {
        get
        {
            var data = new TheoryData<string, int>();
            foreach (var version in new[] { "mqttv31", "mqttv311", "mqttv5" })
            {
                for (var qos = 0; qos <= 2; qos++)
                {
                    data.Add(version, qos);
                }
            }

            return data;
        }
    }
}
