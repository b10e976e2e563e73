using Meshwork.Platform.Store;
using Meshwork.Platform.Store.Postgres;
using Meshwork.Stores.Conformance;
using Meshwork.Testing;
using Npgsql;

namespace Meshwork.Platform.Tests.Store.Postgres;

/// <summary>The store conformance suite on the PostgreSQL store: each test on a fresh database of the shared throwaway server.</summary>
public sealed class PostgresStoreConformanceTests : MetadataStoreConformanceTests
{
    private string? _connection;

    protected override async Task<IMetadataStoreProvider> CreateProviderAsync(AuditKeySource auditKey, CancellationToken cancellationToken)
    {
        var server = await PostgresServer.SharedAsync();
        _connection = await server.CreateDatabaseAsync("store_" + Guid.NewGuid().ToString("N"), cancellationToken);
        return new PostgresStoreProvider(_connection, auditKey);
    }

    protected override async Task<int> ExecuteBehindTheStoreAsync(string sql, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(_connection) { SearchPath = PostgresStoreProvider.Schema }.ConnectionString);
        await connection.OpenAsync(cancellationToken);
#pragma warning disable CA2100 // the suite's own tampering statements
        await using var command = new NpgsqlCommand(sql, connection);
#pragma warning restore CA2100
        return await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
