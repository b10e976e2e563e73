using Meshwork.Platform.Store;
using Meshwork.Platform.Store.Sqlite;
using Meshwork.Stores.Conformance;
using Microsoft.Data.Sqlite;

namespace Meshwork.Platform.Tests.Store.Sqlite;

/// <summary>The store conformance suite on the embedded SQLite store, one data folder per test.</summary>
public sealed class SqliteStoreConformanceTests : MetadataStoreConformanceTests
{
    protected override Task<IMetadataStoreProvider> CreateProviderAsync(AuditKeySource auditKey, CancellationToken cancellationToken) =>
        Task.FromResult<IMetadataStoreProvider>(new SqliteStoreProvider(auditKey: auditKey));

    protected override async Task<int> ExecuteBehindTheStoreAsync(string sql, CancellationToken cancellationToken)
    {
        await using var connection = new SqliteConnection($"Data Source={Path.Combine(DataFolder, SqliteMetadataStore.FileName)};Pooling=false");
        await connection.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
