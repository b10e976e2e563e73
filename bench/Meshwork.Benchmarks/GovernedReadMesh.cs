using System.Globalization;
using Meshwork.Engines.DuckDb;
using Meshwork.Platform;

namespace Meshwork.Benchmarks;

/// <summary>An applied one-product mesh whose dataset has <see cref="Rows"/> rows.</summary>
/// <param name="Repository">The repository folder.</param>
/// <param name="DataFolder">The applied data folder (what the server serves).</param>
/// <param name="Snapshot">The dataset's current Parquet snapshot folder.</param>
/// <param name="Rows">Rows in the dataset.</param>
public sealed record GovernedReadData(string Repository, string DataFolder, string Snapshot, long Rows);

/// <summary>
/// Writes and applies a mesh with one domain (<c>sales</c>) and one source-aligned product (<c>sales.orders</c>)
/// whose source CSV has N rows of a 6-column contract; applying it validates every row and writes the Parquet
/// snapshot the server reads. BenchmarkDotNet runs each benchmark in its own process and each runs the global
/// setup, so the applied folder is kept in the temp folder and reused while it is complete (delete
/// <c>meshwork-bench-read-*</c> there to rebuild it).
/// </summary>
public static class GovernedReadMesh
{
    public const string Domain = "sales";
    public const string Product = "orders";
    public const string Address = "sales.orders.orders_v1";

    // Bump when the files below change, so a stale cached folder is not reused.
    private const int Layout = 1;
    private const string ReadyMarker = "ready";

    public static string CacheFolder(long rows) =>
        Path.Combine(Path.GetTempPath(), string.Create(CultureInfo.InvariantCulture, $"meshwork-bench-read-{rows}-v{Layout}"));

    /// <summary>The applied mesh of <paramref name="rows"/> rows: the cached one when it is complete, else written and applied now.</summary>
    public static async Task<GovernedReadData> PrepareAsync(long rows, TextWriter log)
    {
        ArgumentNullException.ThrowIfNull(log);
        var root = CacheFolder(rows);
        var repository = Path.Combine(root, "repo");
        var marker = Path.Combine(root, ReadyMarker);
        if (File.Exists(marker))
        {
            var cached = await OpenAsync(repository, (await File.ReadAllTextAsync(marker).ConfigureAwait(false)).Trim(), rows).ConfigureAwait(false);
            log.WriteLine($"// governed read mesh: reusing {root}");
            return cached;
        }

        if (Directory.Exists(root))
        {
            Directory.Delete(root, recursive: true);
        }

        var clock = System.Diagnostics.Stopwatch.StartNew();
        Write(repository);
        await WriteCsvAsync(Path.Combine(repository, "domains", Domain, Product, "data", "orders.csv"), rows).ConfigureAwait(false);
        MeshAssert.LintsClean(repository);
        log.WriteLine($"// governed read mesh: wrote {rows:N0} rows of CSV in {clock.Elapsed.TotalSeconds:0.0} s");

        clock.Restart();
        var platform = MeshworkPlatform.Create();
        var applied = await platform.ApplyAsync(repository, dataFolder: null).ConfigureAwait(false);
        if (applied.Errors.Count > 0 || applied.Refused || applied.Plan is null)
        {
            throw new InvalidOperationException($"Applying {repository} failed: {string.Join("; ", applied.Errors)}");
        }

        if (applied.Datasets is not [{ Address: Address } run] || run.Published != rows || run.Quarantined != 0)
        {
            throw new InvalidOperationException(
                $"Expected {Address} with {rows:N0} rows published, got: {string.Join(", ", applied.Datasets.Select(d => $"{d.Address} {d.Published} published, {d.Quarantined} quarantined"))}");
        }

        log.WriteLine($"// governed read mesh: applied in {clock.Elapsed.TotalSeconds:0.0} s");
        var data = await OpenAsync(repository, applied.DataFolder, rows).ConfigureAwait(false);
        await File.WriteAllTextAsync(marker, data.DataFolder).ConfigureAwait(false);
        return data;
    }

    private static async Task<GovernedReadData> OpenAsync(string repository, string dataFolder, long rows)
    {
        await using var store = await MeshworkPlatform.Create().OpenStoreAsync(dataFolder).ConfigureAwait(false);
        var snapshot = await store.GetCurrentSnapshotAsync(Address).ConfigureAwait(false)
            ?? throw new InvalidOperationException($"{Address} is not published in {dataFolder}.");
        if (snapshot.Rows != rows)
        {
            throw new InvalidOperationException($"{Address} has {snapshot.Rows:N0} rows in {dataFolder}, expected {rows:N0}.");
        }

        var folder = Path.Combine(dataFolder, snapshot.Snapshot);
        if (!Directory.EnumerateFiles(folder, "*.parquet").Any())
        {
            throw new InvalidOperationException($"The snapshot folder {folder} has no Parquet file.");
        }

        return new GovernedReadData(repository, dataFolder, folder, rows);
    }

    /// <summary>id, customer_id, amount, country (2 letters), email, created: 10M rows make a CSV of 618 MB.</summary>
    private static async Task WriteCsvAsync(string path, long rows)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var sql = string.Create(CultureInfo.InvariantCulture, $"""
            COPY (SELECT range AS id,
                         range % 250000 AS customer_id,
                         (range % 100003) / 100.0 AS amount,
                         ['DE', 'FR', 'NL', 'ES', 'IT', 'PL', 'SE', 'BE', 'AT', 'DK'][1 + range % 10] AS country,
                         'customer' || (range % 250000) || '@example.com' AS email,
                         DATE '2024-01-01' + CAST(range % 730 AS INTEGER) AS created
                  FROM range({rows})) TO '{path.Replace("'", "''", StringComparison.Ordinal)}' (HEADER, DELIMITER ',')
            """);
        await using var engine = await DuckDbEngine.OpenAsync().ConfigureAwait(false);
        await (await engine.ReadAsync(sql).ConfigureAwait(false)).DisposeAsync().ConfigureAwait(false);
    }

    private static void Write(string repository)
    {
        // mesh.yaml, people.yaml (with the admin principal) and the sales domain as the generated meshes have them.
        Save(repository, "mesh.yaml", MeshGenerator.MeshYaml());
        Save(repository, "people.yaml", MeshGenerator.PeopleYaml(1));
        Save(repository, $"domains/{Domain}/domain.yaml", MeshGenerator.DomainYaml(0));
        Save(repository, $"domains/{Domain}/{Product}/product.odps.yaml", ProductYaml);
        Save(repository, $"domains/{Domain}/{Product}/{Product}.odcs.yaml", OutputContractYaml);
        Save(repository, $"domains/{Domain}/{Product}/{Product}_raw.odcs.yaml", SourceContractYaml);
    }

    private static void Save(string repository, string relative, string content)
    {
        var path = Path.Combine(repository, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content);
    }

    private const string ProductYaml = """
        apiVersion: v1.0.0
        kind: DataProduct
        id: sales.orders
        name: Orders
        domain: sales
        status: active
        version: 1.0.0
        description:
          purpose: Orders of the web shop, one row per order, as exported by the shop.
          limitations: Synthetic data for the server benchmarks.
          usage: Read through the data API.
        tags: [sales, benchmark]
        team:
          name: team-sales
          members:
            - username: owner-sales
              role: owner
            - username: steward-sales
              role: data steward
        inputPorts:
          - name: raw
            version: 1.0.0
            contractId: sales.orders.raw.v1
            tags: [source]
        outputPorts:
          - name: orders
            description: The orders dataset.
            type: tables
            version: 1.0.0
            contractId: sales.orders.v1
        support:
          - channel: "#sales-data"
            url: https://chat.example.com/channels/sales-data
            tool: slack
            scope: interactive

        """;

    private const string OutputContractYaml = """
        apiVersion: v3.1.0
        kind: DataContract
        id: sales.orders.v1
        name: Orders
        version: 1.0.0
        status: active
        domain: sales
        dataProduct: orders
        tags: [sales]
        description:
          purpose: Orders as published by sales.orders.
          usage: Benchmarks of the governed data API.
        schema:
          - name: orders
            physicalName: orders_v1
            physicalType: table
            businessName: Orders
            description: One row per order.
            properties:
              - name: id
                logicalType: integer
                physicalType: BIGINT
                description: Order number.
                required: true
                unique: true
                primaryKey: true
                primaryKeyPosition: 1
                classification: internal
              - name: customer_id
                logicalType: integer
                physicalType: BIGINT
                description: The customer who ordered.
                required: true
                classification: internal
              - name: amount
                logicalType: number
                physicalType: DOUBLE
                description: Gross amount in EUR.
                required: false
                classification: internal
              - name: country
                logicalType: string
                physicalType: VARCHAR(2)
                description: ISO 3166 country code of the delivery address.
                required: false
                classification: public
                logicalTypeOptions:
                  pattern: '^[A-Z]{2}$'
              - name: email
                logicalType: string
                physicalType: VARCHAR
                description: Customer e-mail address.
                required: false
                classification: confidential
                tags: ["pii", "pii:email"]
              - name: created
                logicalType: date
                physicalType: DATE
                description: Order date.
                required: true
                classification: internal

        """;

    private const string SourceContractYaml = """
        apiVersion: v3.1.0
        kind: DataContract
        id: sales.orders.raw.v1
        name: Orders (raw)
        version: 1.0.0
        status: active
        domain: sales
        tags: [sales, source]
        description:
          purpose: The shop's order export sales.orders is built from.
        servers:
          - server: local
            type: local
            format: csv
            path: ./data/orders.csv
            description: Order export.
        schema:
          - name: orders_raw
            physicalType: file
            properties:
              - name: id
                logicalType: integer
              - name: customer_id
                logicalType: integer
              - name: amount
                logicalType: number
              - name: country
                logicalType: string
              - name: email
                logicalType: string
              - name: created
                logicalType: date

        """;
}
