using Manta.Protocol;

namespace Manta.Broker.Diagnostics;

/// <summary>
/// PUBLISH packets and payload bytes written by one connection's write loop, by QoS, added to the
/// counters once per batch rather than once per message. Owned by the write loop: no locking.
/// </summary>
internal struct SentTally
{
    /// <summary>QoS levels 0, 1 and 2.</summary>
    public const int Levels = 3;

    private long _count0;
    private long _count1;
    private long _count2;
    private long _bytes0;
    private long _bytes1;
    private long _bytes2;

    /// <summary>Messages of every QoS.</summary>
    public readonly long Total => _count0 + _count1 + _count2;

    public void Add(QualityOfService qos, int payloadBytes)
    {
        switch (qos)
        {
            case QualityOfService.AtMostOnce:
                _count0++;
                _bytes0 += payloadBytes;
                break;
            case QualityOfService.AtLeastOnce:
                _count1++;
                _bytes1 += payloadBytes;
                break;
            default:
                _count2++;
                _bytes2 += payloadBytes;
                break;
        }
    }

    public readonly long Count(int qos) => qos switch { 0 => _count0, 1 => _count1, _ => _count2 };

    public readonly long Bytes(int qos) => qos switch { 0 => _bytes0, 1 => _bytes1, _ => _bytes2 };
}
