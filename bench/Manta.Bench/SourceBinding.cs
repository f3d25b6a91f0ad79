using System.Net;
using System.Net.Sockets;

namespace Manta.Bench;

/// <summary>Binds a client socket to a source address (127.0.0.x) before it connects.</summary>
internal static class SourceBinding
{
    /// <summary>Linux's SOL_IP (setsockopt level 0).</summary>
    private const int SolIp = 0;

    /// <summary>Linux's IP_BIND_ADDRESS_NO_PORT (since 4.2).</summary>
    private const int IpBindAddressNoPort = 24;

    private static readonly byte[] One = BitConverter.GetBytes(1);

    /// <summary>
    /// Binds <paramref name="socket"/> to <paramref name="source"/>, port 0. With
    /// IP_BIND_ADDRESS_NO_PORT the kernel chooses the port at connect time, where it needs only
    /// the 4-tuple to be unique. A plain bind to port 0 looks for a port nothing else on that
    /// address uses, which with tens of thousands of sockets (and TIME_WAITs) costs milliseconds
    /// of kernel time per connection. Where the option is unknown the plain bind still works.
    /// </summary>
    public static void Bind(Socket socket, IPAddress source)
    {
        try
        {
            socket.SetRawSocketOption(SolIp, IpBindAddressNoPort, One);
        }
        catch (SocketException)
        {
        }
        catch (PlatformNotSupportedException)
        {
        }

        socket.Bind(new IPEndPoint(source, 0));
    }
}
