using Microsoft.AspNetCore.Connections;

namespace Manta.Server.Hosting;

/// <summary>
/// Connection middleware for listeners behind a load balancer: reads the PROXY protocol header
/// (before TLS, which follows it) and makes the real client address the connection's remote
/// address, so logs and authorizers see the device rather than the balancer. A connection
/// without a valid header within <see cref="HeaderTimeout"/> is closed.
/// </summary>
internal static class ProxyProtocolMiddleware
{
    /// <summary>A balancer sends the header at once; anything slower is not one.</summary>
    public static readonly TimeSpan HeaderTimeout = TimeSpan.FromSeconds(5);

    public static ConnectionDelegate Create(ConnectionDelegate next, ILogger logger) => async connection =>
    {
        var input = connection.Transport.Input;
        using var timeout = new CancellationTokenSource(HeaderTimeout);
        try
        {
            while (true)
            {
                var result = await input.ReadAsync(timeout.Token);
                var buffer = result.Buffer;
                if (ProxyProtocolHeader.TryRead(ref buffer, out var source))
                {
                    input.AdvanceTo(buffer.Start);
                    if (source is not null)
                    {
                        connection.RemoteEndPoint = source;
                    }

                    break;
                }

                if (result.IsCompleted)
                {
                    return;
                }

                input.AdvanceTo(buffer.Start, buffer.End);
            }
        }
        catch (Exception exception) when (exception is InvalidDataException or OperationCanceledException)
        {
            ServerLog.ProxyHeaderRejected(logger, connection.RemoteEndPoint, exception.Message);
            connection.Abort();
            return;
        }

        await next(connection);
    };
}
