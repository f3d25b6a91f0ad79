using System.IO.Pipelines;
using System.Net.WebSockets;

namespace Manta.Server.Hosting;

/// <summary>
/// An <see cref="IDuplexPipe"/> over a WebSocket, so the broker serves MQTT over WebSocket exactly
/// as over TCP: WebSocket frame boundaries mean nothing to MQTT (a packet may span frames and a
/// frame may hold several packets), so bytes are simply pumped both ways as binary messages.
/// </summary>
internal sealed class WebSocketPipe : IDuplexPipe
{
    // Pipe thresholds as Kestrel's socket transport uses them: a reader that falls behind pauses the writer.
    private const int PauseThreshold = 1024 * 1024;

    private readonly WebSocket _socket;
    private readonly Pipe _incoming;
    private readonly Pipe _outgoing = new(new PipeOptions(pauseWriterThreshold: 64 * 1024, resumeWriterThreshold: 32 * 1024, useSynchronizationContext: false));

    public WebSocketPipe(WebSocket socket, long maximumPacketSize)
    {
        _socket = socket;
        var pause = Math.Max(PauseThreshold, maximumPacketSize + (64 * 1024));
        _incoming = new Pipe(new PipeOptions(pauseWriterThreshold: pause, resumeWriterThreshold: pause / 2, useSynchronizationContext: false));
    }

    public PipeReader Input => _incoming.Reader;

    public PipeWriter Output => _outgoing.Writer;

    /// <summary>Pumps until either side ends; completes when both pumps have.</summary>
    public Task RunAsync(CancellationToken cancellationToken) => Task.WhenAll(ReceiveAsync(cancellationToken), SendAsync(cancellationToken));

    private async Task ReceiveAsync(CancellationToken cancellationToken)
    {
        var writer = _incoming.Writer;
        try
        {
            while (true)
            {
                var memory = writer.GetMemory(4096);
                var result = await _socket.ReceiveAsync(memory, cancellationToken);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    break;
                }

                if (result.MessageType == WebSocketMessageType.Text)
                {
                    // MQTT over WebSocket is binary only (MQTT 5 section 6, MQTT-6.0.0-1): close.
                    await _socket.CloseOutputAsync(WebSocketCloseStatus.InvalidMessageType, "MQTT needs binary messages", cancellationToken);
                    break;
                }

                writer.Advance(result.Count);
                var flush = await writer.FlushAsync(cancellationToken);
                if (flush.IsCompleted)
                {
                    break;
                }
            }
        }
        catch (Exception exception) when (exception is WebSocketException or OperationCanceledException or IOException)
        {
            // The client went away; completing the pipe tells the broker.
        }
        finally
        {
            await writer.CompleteAsync();
        }
    }

    private async Task SendAsync(CancellationToken cancellationToken)
    {
        var reader = _outgoing.Reader;
        try
        {
            while (true)
            {
                var result = await reader.ReadAsync(cancellationToken);
                foreach (var segment in result.Buffer)
                {
                    await _socket.SendAsync(segment, WebSocketMessageType.Binary, endOfMessage: true, cancellationToken);
                }

                reader.AdvanceTo(result.Buffer.End);
                if (result.IsCompleted || result.IsCanceled)
                {
                    break;
                }
            }

            if (_socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
            {
                await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, cancellationToken);
            }
        }
        catch (Exception exception) when (exception is WebSocketException or OperationCanceledException or IOException)
        {
            // Nothing more can be sent.
        }
        finally
        {
            await reader.CompleteAsync();

            // The broker may still be waiting to read: end the input side too.
            _incoming.Writer.CancelPendingFlush();
        }
    }
}
