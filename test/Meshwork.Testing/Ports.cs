using System.Net;
using System.Net.Sockets;

namespace Meshwork.Testing;

public static class Ports
{
    /// <summary>A free loopback port: free when asked (another process may take it before it is bound).</summary>
    public static int Free()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
