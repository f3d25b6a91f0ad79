namespace Manta.Broker.Channel;

/// <summary>The one I/O request a channel makes of its connection: close once what is queued is written.</summary>
public interface IConnectionControl
{
    /// <summary>Stop reading, write what the outbox holds, then close the transport.</summary>
    void CloseAfterFlush();
}
