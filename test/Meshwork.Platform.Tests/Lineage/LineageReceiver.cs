using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Meshwork.Platform.Tests.Lineage;

/// <summary>
/// A tiny OpenLineage HTTP receiver on a free local port (the HTTP transport's real peer, as Marquez would be): it
/// records each POST's path, Authorization header and body, and answers with the status <see cref="Answer"/> gives
/// for the request's number (from 1), or never answers while <see cref="Hang"/> is set.
/// </summary>
internal sealed class LineageReceiver : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly Task _loop;
    private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _count;

    public LineageReceiver()
    {
        Url = new Uri($"http://127.0.0.1:{FreePort()}/");
        _listener.Prefixes.Add(Url.AbsoluteUri);
        _listener.Start();
        _loop = Task.Run(LoopAsync);
    }

    public Uri Url { get; }

    public ConcurrentQueue<(string Path, string? Authorization, string Body)> Received { get; } = new();

    public Func<int, int> Answer { get; init; } = _ => 200;

    public bool Hang { get; init; }

    /// <summary>A URL nothing listens on: a receiver that is down.</summary>
    public static Uri Down() => new($"http://127.0.0.1:{FreePort()}/");

    private async Task LoopAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            _ = Task.Run(() => HandleAsync(context));
        }
    }

    private async Task HandleAsync(HttpListenerContext context)
    {
        using var reader = new StreamReader(context.Request.InputStream, Encoding.UTF8);
        var body = await reader.ReadToEndAsync();
        Received.Enqueue((context.Request.Url!.AbsolutePath, context.Request.Headers["Authorization"], body));
        var number = Interlocked.Increment(ref _count);
        if (Hang)
        {
            await _release.Task;
        }

        try
        {
            context.Response.StatusCode = Answer(number);
            context.Response.Close();
        }
        catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
        {
            // The client gave up first.
        }
    }

    private static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    public void Dispose()
    {
        _release.TrySetResult();
        _listener.Close();
        _loop.Wait(TimeSpan.FromSeconds(5));
    }
}
