using Meshwork.Platform.Store;
using Meshwork.Platform.Store.Sqlite;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Time.Testing;

namespace Meshwork.Platform.Tests.Store.Sqlite;

public sealed class SqliteMetadataStoreTests : IDisposable
{
    private readonly TestMesh _mesh = new();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 25, 12, 0, 0, TimeSpan.Zero));

    public void Dispose() => _mesh.Dispose();

    [Fact]
    public async Task Open_Twice_AppliesEachMigrationOnce()
    {
        await (await SqliteMetadataStore.OpenAsync(_mesh.DataFolder, _time)).DisposeAsync();
        await (await SqliteMetadataStore.OpenAsync(_mesh.DataFolder, _time)).DisposeAsync();

        using var connection = new SqliteConnection($"Data Source={Path.Combine(_mesh.DataFolder, SqliteMetadataStore.FileName)};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT count(*), max(version) FROM schema_migrations";
        using var reader = command.ExecuteReader();
        reader.Read();
        Assert.Equal(SqliteMigrations.All.Count, reader.GetInt32(0));
        Assert.Equal(SqliteMigrations.All[^1].Version, reader.GetInt32(1));
    }

    [Fact]
    public async Task Open_StoreFileIsNotADatabase_IsUnavailableNamingTheFile()
    {
        Directory.CreateDirectory(_mesh.DataFolder);
        var path = Path.Combine(_mesh.DataFolder, SqliteMetadataStore.FileName);
        await File.WriteAllTextAsync(path, new string('x', 4096), TestContext.Current.CancellationToken);

        var error = await Assert.ThrowsAsync<StorageUnavailableException>(() => SqliteMetadataStore.OpenAsync(_mesh.DataFolder, _time));

        Assert.Contains($"'{path}' is damaged or is not a SQLite database", error.Message, StringComparison.Ordinal);
    }
}
