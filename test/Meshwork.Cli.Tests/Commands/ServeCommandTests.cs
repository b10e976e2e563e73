using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Meshwork.Testing;

namespace Meshwork.Cli.Tests.Commands;

/// <summary><c>mesh up</c> as a separate process, serving a copy of the example mesh.</summary>
public sealed class MeshUpFixture : IAsyncLifetime
{
    private readonly string _mesh = CliRunner.NewTempPath();
    private readonly int _port = Ports.Free();
    private MeshProcess? _server;

    /// <summary>The PostgreSQL wire protocol port (a free one: mesh up's default 5433 may be in use here).</summary>
    public int PgPort { get; } = Ports.Free();

    public string Mesh => _mesh;

    public string Url => $"http://127.0.0.1:{_port}";

    public string Data => Path.Combine(_mesh, ".mesh");

    public async ValueTask InitializeAsync()
    {
        CliRunner.CopyTree(Path.Combine(CliRunner.RepositoryRoot, "examples", "retail"), _mesh);
        _server = MeshProcess.Start(new Dictionary<string, string?>(), "up", _mesh, "--urls", Url, "--pg-port", PgPort.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await _server.WaitForHealthAsync(Url, TimeSpan.FromSeconds(90), TestContext.Current.CancellationToken);
    }

    /// <summary>Kills the server at once (SIGKILL): no shutdown, no finally blocks, as a crash or an OOM kill would.</summary>
    public Task KillAsync() => _server!.KillAsync();

    public async ValueTask DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }

        try
        {
            Directory.Delete(_mesh, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp folder is harmless.
        }
    }

    public string Output() => _server?.Output() ?? string.Empty;
}

/// <summary><c>mesh token</c>, <c>mesh serve</c> and <c>mesh apply</c> run in this process beside a <c>mesh up</c> process.</summary>
public sealed class ServeCommandTests(MeshUpFixture up) : IClassFixture<MeshUpFixture>
{
    private string Url => up.Url;

    private string Data => up.Data;

    private string Mesh => up.Mesh;

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Up_PrintsTheUrlAndServesTheCatalogToATokenFromMeshToken()
    {
        var (exitCode, output, _) = CliRunner.Run("token", "olivia", "--data", Data);
        var token = output.TrimEnd().Split('\n')[^1];

        var response = await Client(token).GetAsync(new Uri($"{Url}/api/v1/products/customers.profiles"), Cancel);

        Assert.Equal(0, exitCode);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains($"Meshwork is serving", Output(), StringComparison.Ordinal);
        Assert.Contains($"mesh token", Output(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Apply_BesideARunningServer_ReadersSeeTheOldVersionOrTheNewNeverAMix()
    {
        var token = CliRunner.Run("token", "olivia", "--data", Data).Output.TrimEnd().Split('\n')[^1];
        using var client = Client(token);
        var uri = new Uri($"{Url}/api/v1/datasets/customers.profiles.profiles_v1/data?format=csv&columns=customer_id");
        var before = await CountAsync(client, uri);
        var customers = Path.Combine(Mesh, "domains/customers/profiles/data/customers.csv");
        var added = new StringBuilder();
        for (var i = 0; i < 20; i++)
        {
            added.Append(System.Globalization.CultureInfo.InvariantCulture, $"{5000 + i},New,Customer,new{i}@example.com,+49 30 555 {i:0000},DE,Berlin,1990-01-01,2024-01-01\n");
        }

        File.AppendAllText(customers, added.ToString());
        File.SetLastWriteTimeUtc(customers, DateTime.UtcNow.AddMinutes(1));

        var seen = new HashSet<long>();
        using var stop = new CancellationTokenSource();
        var reader = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                seen.Add(await CountAsync(client, uri));
            }
        }, Cancel);
        var (exitCode, _, error) = CliRunner.Run("apply", Mesh, "--yes");
        var after = await CountAsync(client, uri);
        await stop.CancelAsync();
        await reader;

        Assert.True(exitCode == 0, error);
        Assert.Equal(before + 20, after);
        Assert.Subset(new HashSet<long> { before, after }, seen);
    }

    [Fact]
    public async Task Up_ServesThePostgreSqlWireProtocol_OnItsPgPort_WithTheBannerSayingHow()
    {
        var (_, output, _) = CliRunner.Run("token", "mallory", "--data", Data);
        var connection = new Npgsql.NpgsqlConnectionStringBuilder
        {
            Host = "127.0.0.1", Port = up.PgPort, Username = "mallory", Password = output.TrimEnd().Split('\n')[^1], Database = "retail",
            SslMode = Npgsql.SslMode.Disable, Pooling = false,
        };
        await using var client = new Npgsql.NpgsqlConnection(connection.ConnectionString);
        await client.OpenAsync(Cancel);

        var country = await new Npgsql.NpgsqlCommand("SELECT DISTINCT country FROM customers.profiles.profiles_v1", client).ExecuteScalarAsync(Cancel);

        Assert.Equal("DE", country);
        Assert.Contains($"port={up.PgPort} user=<principal>", Output(), StringComparison.Ordinal);
    }

    [Fact]
    public void Serve_OnAPostgreSqlPortInUse_FailsWithAClearError()
    {
        var (exitCode, _, error) = CliRunner.Run("serve", "--data", Data, "--urls", $"http://127.0.0.1:{Ports.Free()}", "--pg-port", up.PgPort.ToString(System.Globalization.CultureInfo.InvariantCulture));

        Assert.Equal(2, exitCode);
        Assert.Contains("PostgreSQL wire protocol", error, StringComparison.Ordinal);
        Assert.Contains("--pg-port", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Serve_OnAPortInUse_FailsWithAClearError()
    {
        var (exitCode, _, error) = CliRunner.Run("serve", "--data", Data, "--urls", Url);

        Assert.Equal(2, exitCode);
        Assert.Contains("in use", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("serve", "0")]
    [InlineData("up", "70000")]
    public void FlightPort_OutOfRange_IsAUsageError(string command, string port)
    {
        var (exitCode, _, error) = CliRunner.Run(command, "--data", Data, "--flight-port", port);

        Assert.Equal(2, exitCode);
        Assert.Contains($"--flight-port {port}: a port is 1 to 65535", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Serve_WhereNothingIsApplied_FailsWithAClearError()
    {
        var empty = CliRunner.NewTempPath();

        var (exitCode, _, error) = CliRunner.Run("serve", "--data", empty, "--urls", $"http://127.0.0.1:{Ports.Free()}");

        Assert.Equal(2, exitCode);
        Assert.Contains("Nothing is applied", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Token_ForAnUnknownPrincipal_ListsThePrincipals()
    {
        var (exitCode, _, error) = CliRunner.Run("token", "eve", "--data", Data);

        Assert.Equal(2, exitCode);
        Assert.Contains("No principal 'eve'", error, StringComparison.Ordinal);
        Assert.Contains("olivia", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Access_RequestThenApprove_BesideTheServer_AndTheAuditLogStaysIntact()
    {
        var (requested, output, error) = CliRunner.Run("access", "request", "customers.profiles.profiles_v1", "--purpose", "reporting", "--as", "sam", "--data", Data);
        Assert.True(requested == 0, error);
        Assert.Contains("pending", output, StringComparison.Ordinal);
        var id = output.Trim().Split(' ')[0];

        var refused = CliRunner.Run("access", "approve", id, "--as", "mallory", "--data", Data);
        var approved = CliRunner.Run("access", "approve", id, "--as", "olivia", "--data", Data);
        var listed = CliRunner.Run("access", "list", "--as", "sam", "--data", Data);
        var verified = CliRunner.Run("audit", "verify", "--data", Data);

        Assert.Equal(1, refused.ExitCode);
        Assert.Equal(0, approved.ExitCode);
        Assert.Contains($"{id}  active", listed.Output, StringComparison.Ordinal);
        Assert.Equal(0, verified.ExitCode);
        Assert.Contains("intact", verified.Output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("soon")]
    public void Token_WithABadTtl_IsAUsageError(string ttl)
    {
        var (exitCode, _, error) = CliRunner.Run("token", "olivia", "--data", Data, "--ttl", ttl);

        Assert.Equal(2, exitCode);
        Assert.Contains("--ttl", error, StringComparison.Ordinal);
    }

    private static HttpClient Client(string token)
    {
        var client = new HttpClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    private static async Task<long> CountAsync(HttpClient client, Uri uri)
    {
        var response = await client.GetAsync(uri, CancellationToken.None);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var csv = await response.Content.ReadAsStringAsync(CancellationToken.None);
        return csv.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length - 1;
    }

    private string Output() => up.Output();
}

/// <summary><c>mesh up --demo</c> on an address other machines reach: demo sign-in is on for them too, and it says so loudly.</summary>
public sealed class DemoSignInTests
{
    [Fact]
    public async Task UpWithDemo_OnAReachableAddress_WarnsAndOffersDemoSignInToOtherMachines()
    {
        var mesh = CliRunner.NewTempPath();
        CliRunner.CopyTree(Path.Combine(CliRunner.RepositoryRoot, "examples", "retail"), mesh);
        var port = Ports.Free();
        try
        {
            await using var server = MeshProcess.Start(new Dictionary<string, string?>(), "up", mesh, "--urls", $"http://0.0.0.0:{port}", "--pg-port", "0", "--demo");
            await server.WaitForHealthAsync($"http://127.0.0.1:{port}", TimeSpan.FromSeconds(90), TestContext.Current.CancellationToken);

            Assert.Contains("WARNING: demo sign-in is on", server.Output(), StringComparison.Ordinal);
            Assert.Contains("demo sign-in: pick anyone", server.Output(), StringComparison.Ordinal);
            Assert.DoesNotContain("PostgreSQL     psql", server.Output(), StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(mesh, recursive: true);
        }
    }
}
