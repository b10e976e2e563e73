using System.Net.Http.Headers;
using Meshwork.Platform;
using Meshwork.Platform.Security;
using Microsoft.AspNetCore.Mvc.Testing;

namespace Meshwork.Server.Tests;

/// <summary>
/// The example mesh (examples/retail) copied to a temporary folder, applied with real DuckDB and SQLite, and
/// served in-process by the real server through <see cref="WebApplicationFactory{TEntryPoint}"/>.
/// </summary>
public class ServerFixture : IAsyncLifetime
{
    private WebApplicationFactory<Program>? _factory;
    private TokenService? _tokens;

    public string Root { get; } = Path.Combine(Path.GetTempPath(), "meshwork-server-tests-" + Guid.NewGuid().ToString("N"));

    public string DataFolder => Path.Combine(Root, ".mesh");

    public WebApplicationFactory<Program> Factory => _factory ?? throw new InvalidOperationException("Not started.");

    /// <summary>Settings this fixture adds to the server's configuration.</summary>
    protected virtual IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>();

    /// <summary>The store this fixture applies to and serves from (<c>Meshwork:Store</c>); null: the data folder's SQLite.</summary>
    public string? Store { get; private set; }

    /// <summary>The store connection to use, made once before the apply; null keeps the default.</summary>
    protected virtual Task<string?> CreateStoreAsync() => Task.FromResult<string?>(null);

    /// <summary>Changes this fixture makes to its copy of the example before applying it.</summary>
    protected virtual void Prepare(string root)
    {
    }

    /// <summary>Changes this fixture makes to its copy of the example before applying it, when they need to wait for something.</summary>
    protected virtual Task PrepareAsync(string root)
    {
        Prepare(root);
        return Task.CompletedTask;
    }

    public async ValueTask InitializeAsync()
    {
        CopyTree(Path.Combine(RepositoryRoot(), "examples", "retail"), Root);
        await PrepareAsync(Root);
        Store = await CreateStoreAsync();
        var result = await MeshworkPlatform.Create(m => m.UseStore(Store)).ApplyAsync(Root, null);
        Assert.True(result.Errors.Count == 0, string.Join('\n', result.Errors));
        _tokens = TokenService.Open(DataFolder, TimeProvider.System);
        _factory = new WebApplicationFactory<Program>().WithWebHostBuilder(builder =>
        {
            builder.UseSetting("Meshwork:Data", DataFolder);
            if (Store is not null)
            {
                builder.UseSetting("Meshwork:Store", Store);
            }

            foreach (var (key, value) in Settings)
            {
                builder.UseSetting(key, value);
            }
        });
    }

    /// <summary>A client authenticated as <paramref name="principal"/> with a fresh platform token.</summary>
    public HttpClient Client(string principal)
    {
        var client = Factory.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", _tokens!.Issue(principal));
        return client;
    }

    public HttpClient Anonymous() => Factory.CreateClient();

    /// <summary>The port the PostgreSQL wire protocol listens on (with <c>Meshwork:PgWire:Port</c> set; 0 lets the system pick).</summary>
    public int PgWirePort
    {
        get
        {
            // The factory's host starts on first use; the port is bound when it has.
            _ = Factory.Server;
            return Meshwork.Server.Ports.PgWire.PgWirePort.PgWirePortOf(Factory.Services) ?? throw new InvalidOperationException("The PostgreSQL port is off: set Meshwork:PgWire:Port.");
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_factory is not null)
        {
            await _factory.DisposeAsync();
        }

        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp folder is harmless.
        }

        GC.SuppressFinalize(this);
    }

    internal static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Meshwork.slnx")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException("Meshwork.slnx not found above the test binaries.");
    }

    internal static void CopyTree(string source, string target)
    {
        foreach (var path in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories)
            .Where(p => !p.Contains($"{Path.DirectorySeparatorChar}.mesh{Path.DirectorySeparatorChar}", StringComparison.Ordinal)))
        {
            var destination = Path.Combine(target, Path.GetRelativePath(source, path));
            Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
            File.Copy(path, destination, overwrite: true);
        }
    }
}
