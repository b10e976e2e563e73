namespace Meshwork.Testing;

/// <summary>
/// A Meshwork cluster as a deployment runs it, on this machine: <c>mesh serve --cluster</c> processes on one shared store
/// and data folder, each on free HTTP and silo ports, advertised on the loopback. Nodes can be killed (SIGKILL) and
/// started again under their name (a new generation of the same node rejoins).
/// </summary>
public sealed class MeshCluster(string store, string dataFolder, IReadOnlyDictionary<string, string?> environment) : IAsyncDisposable
{
    private readonly List<MeshNode> _nodes = [];

    /// <summary>Every node started, the killed ones included (a restarted node replaces its earlier self).</summary>
    public IReadOnlyList<MeshNode> Nodes
    {
        get
        {
            lock (_nodes)
            {
                return [.. _nodes];
            }
        }
    }

    /// <summary>The nodes whose process is running.</summary>
    public IReadOnlyList<MeshNode> Alive => [.. Nodes.Where(n => !n.Process.HasExited)];

    public MeshNode this[string name] => Nodes.Single(n => n.Name == name);

    /// <summary>Starts nodes <c>node-1</c> … <c>node-N</c> at once, and waits until each answers.</summary>
    public async Task StartAsync(int count, TimeSpan within, CancellationToken cancellationToken = default) =>
        await Task.WhenAll(Enumerable.Range(1, count).Select(i => StartNodeAsync($"node-{i}", within, cancellationToken))).ConfigureAwait(false);

    /// <summary>Starts (or starts again, on new ports) the node <paramref name="name"/>, and waits until it answers <c>/healthz</c>.</summary>
    public async Task<MeshNode> StartNodeAsync(string name, TimeSpan within, CancellationToken cancellationToken = default)
    {
        var url = $"http://127.0.0.1:{Ports.Free()}";
        var siloPort = Ports.Free();
        var process = MeshProcess.Start(environment, "serve", "--data", dataFolder, "--store", store, "--urls", url,
            "--cluster", "--silo-port", siloPort.ToString(System.Globalization.CultureInfo.InvariantCulture), "--advertise", "127.0.0.1", "--node", name);
        var node = new MeshNode(name, url, siloPort, process);
        lock (_nodes)
        {
            _nodes.RemoveAll(n => n.Name == name && n.Process.HasExited);
            _nodes.Add(node);
        }

        await process.WaitForHealthAsync(url, within, cancellationToken).ConfigureAwait(false);
        return node;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var node in Nodes)
        {
            await node.Process.DisposeAsync().ConfigureAwait(false);
        }
    }
}

/// <summary>One node of a <see cref="MeshCluster"/>: its name (<c>--node</c>), HTTP address, silo port and process.</summary>
public sealed record MeshNode(string Name, string Url, int SiloPort, MeshProcess Process)
{
    /// <summary>Kills the node at once (SIGKILL), as a crash or a lost machine would.</summary>
    public Task KillAsync() => Process.KillAsync();

    public override string ToString() => $"{Name} ({Url})";
}
