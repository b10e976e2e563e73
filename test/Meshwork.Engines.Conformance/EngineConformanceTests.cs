using System.Data.Common;
using System.Security.Cryptography;
using System.Text;
using Meshwork.Diagnostics;
using Meshwork.Engines.Ir;
using Meshwork.Loading;

namespace Meshwork.Engines.Conformance;

/// <summary>
/// What every engine must do in a pipeline, tested through <see cref="IComputeEngine"/> only: read sources, enforce a contract on
/// write with quarantine, publish and attach snapshots, run transforms and quality checks. An engine's test
/// project derives from this class and says how to open its engine.
/// </summary>
public abstract class EngineConformanceTests : IAsyncLifetime
{
    private const string Address = "test.data.items_v1";

    /// <summary>
    /// The engine under test writes snapshot files of about this many rows at most (an engine option; engines write
    /// a million by default), so a snapshot of several files is cheap to make.
    /// </summary>
    protected const int SnapshotFileRows = 2048;

    /// <summary>Rows enough for several snapshot files.</summary>
    private const int ManyRows = (3 * SnapshotFileRows) + 100;

    private IComputeEngine? _engine;

    protected string Folder { get; } = Path.Combine(Path.GetTempPath(), "meshwork-engine-" + Guid.NewGuid().ToString("N"));

    protected IComputeEngine Engine => _engine ?? throw new InvalidOperationException("Not initialized.");

    /// <summary>A new pipeline session of the engine under test.</summary>
    protected abstract Task<IComputeEngine> OpenEngineAsync();

    public async ValueTask InitializeAsync()
    {
        Directory.CreateDirectory(Folder);
        _engine = await OpenEngineAsync();
    }

    public async ValueTask DisposeAsync()
    {
        if (_engine is not null)
        {
            await _engine.DisposeAsync();
        }

        Directory.Delete(Folder, recursive: true);
        GC.SuppressFinalize(this);
    }

    // ---- sources -------------------------------------------------------------------------------------------

    [Fact]
    public async Task Load_Csv_ReadsEveryColumn()
    {
        await LoadCsvAsync("src", "id,name\n1,anna\n2,ben\n");

        var columns = await Engine.IntrospectAsync("src");

        Assert.Equal(["id", "name"], columns.Select(c => c.Name));
        Assert.Equal(2, await CountAsync("src"));
    }

    [Fact]
    public async Task Load_JsonAndParquet_AreRead()
    {
        var json = Write("items.json", "{\"id\": 1, \"name\": \"a\"}\n{\"id\": 2, \"name\": \"b\"}\n");
        await Engine.LoadAsync(new SourceFile(json, SourceFormat.Json), "from_json");
        var snapshot = await Engine.PublishAsync("from_json", Path.Combine(Folder, "parquet"));
        await Engine.LoadAsync(new SourceFile(Path.Combine(snapshot.Folder, "*.parquet"), SourceFormat.Parquet), "from_parquet");

        Assert.Equal(2, await CountAsync("from_json"));
        Assert.Equal(2, await CountAsync("from_parquet"));
    }

    [Fact]
    public async Task Load_MissingFile_FailsNamingTheFile()
    {
        var missing = Path.Combine(Folder, "nope.csv");

        var error = await Assert.ThrowsAsync<EngineException>(() => Engine.LoadAsync(new SourceFile(missing, SourceFormat.Csv), "src"));

        Assert.Contains("nope.csv", error.Message, StringComparison.Ordinal);
    }

    // ---- the contract enforced on write --------------------------------------------------------------------

    [Fact]
    public async Task Validate_ValueThatDoesNotCast_IsQuarantinedWithTypeReason()
    {
        var spec = Spec("""
            - name: id
              logicalType: integer
            - name: amount
              logicalType: number
            """);
        await LoadCsvAsync("src", "id,amount\n1,10.5\n2,lots\n3,\n");

        var outcome = await Engine.ValidateAsync(spec, "src", "run-1");

        Assert.Equal(2, outcome.Valid);
        Assert.Equal(1, outcome.Quarantined);
        Assert.Equal([["2", "amount: type"]], await ReasonsAsync(outcome, "id"));
    }

    [Fact]
    public async Task Validate_RequiredColumnEmpty_IsQuarantined()
    {
        var spec = Spec("""
            - name: id
              logicalType: integer
            - name: email
              logicalType: string
              required: true
            """);
        await LoadCsvAsync("src", "id,email\n1,a@x.org\n2,\n");

        var outcome = await Engine.ValidateAsync(spec, "src", "run-1");

        Assert.Equal([["2", "email: required"]], await ReasonsAsync(outcome, "id"));
    }

    [Fact]
    public async Task Validate_DuplicatePrimaryKey_QuarantinesEveryRowOfTheKey()
    {
        var spec = Spec("""
            - name: id
              logicalType: integer
              primaryKey: true
              required: true
            - name: name
              logicalType: string
            """);
        await LoadCsvAsync("src", "id,name\n1,a\n2,b\n2,c\n3,d\n");

        var outcome = await Engine.ValidateAsync(spec, "src", "run-1");

        Assert.Equal(2, outcome.Valid);
        Assert.Equal([["2", "id: primary_key"], ["2", "id: primary_key"]], await ReasonsAsync(outcome, "id"));
    }

    [Fact]
    public async Task Validate_DuplicateKeyRows_KeepTheirOriginalTextAndOtherReasons()
    {
        var spec = Spec("""
            - name: id
              logicalType: integer
              primaryKey: true
              required: true
            - name: amount
              logicalType: number
              logicalTypeOptions:
                minimum: 0
            """);
        // '7' and '007' are the same key once typed; the quarantine shows what the source said.
        await LoadCsvAsync("src", "id,amount\n7,1.50\n007,-1\n8,2\n");

        var outcome = await Engine.ValidateAsync(spec, "src", "run-1");

        Assert.Equal(1, outcome.Valid);
        var rows = await RowsAsync($"SELECT id, amount, array_to_string(_reasons, ' | ') FROM {outcome.QuarantineRelation} ORDER BY id");
        Assert.Equal([["007", "-1", "amount: minimum | id: primary_key"], ["7", "1.50", "id: primary_key"]],
            rows.Select(r => r.Select(v => v?.ToString()).ToArray()));
    }

    [Fact]
    public async Task Validate_CompositePrimaryKey_ComparesAllKeyColumns()
    {
        var spec = Spec("""
            - name: order_id
              logicalType: integer
              primaryKey: true
              primaryKeyPosition: 1
              required: true
            - name: line
              logicalType: integer
              primaryKey: true
              primaryKeyPosition: 2
              required: true
            """);
        await LoadCsvAsync("src", "order_id,line\n1,1\n1,2\n2,1\n2,1\n");

        var outcome = await Engine.ValidateAsync(spec, "src", "run-1");

        Assert.Equal(2, outcome.Valid);
        Assert.Equal(["order_id,line: primary_key", "order_id,line: primary_key"], (await ReasonsAsync(outcome, "order_id")).Select(r => r[1]));
    }

    [Fact]
    public async Task Validate_UniqueColumn_QuarantinesDuplicatesButNotNulls()
    {
        var spec = Spec("""
            - name: email
              logicalType: string
              unique: true
            """);
        await LoadCsvAsync("src", "email\na@x.org\nb@x.org\na@x.org\n\n\n");

        var outcome = await Engine.ValidateAsync(spec, "src", "run-1");

        Assert.Equal(3, outcome.Valid);
        Assert.Equal(2, outcome.Quarantined);
    }

    [Theory]
    [InlineData("minimum: 0", "-1", "0", "minimum")]
    [InlineData("exclusiveMinimum: 0", "0", "0.5", "exclusive_minimum")]
    [InlineData("maximum: 100", "100.5", "100", "maximum")]
    [InlineData("exclusiveMaximum: 100", "100", "99.9", "exclusive_maximum")]
    [InlineData("multipleOf: 5", "7", "15", "multiple_of")]
    public async Task Validate_NumericBounds_AreEnforced(string option, string bad, string good, string reason)
    {
        var spec = Spec($"""
            - name: v
              logicalType: number
              logicalTypeOptions:
                {option}
            """);
        await LoadCsvAsync("src", $"v\n{bad}\n{good}\n");

        var outcome = await Engine.ValidateAsync(spec, "src", "run-1");

        Assert.Equal(1, outcome.Valid);
        Assert.Equal([[bad, $"v: {reason}"]], await ReasonsAsync(outcome, "v"));
    }

    [Theory]
    [InlineData("2024-02-29", true)]
    [InlineData("2000-02-29", true)]
    [InlineData("2024-4-5", true)]
    [InlineData(" 2024-01-31 ", true)]
    [InlineData("2024-12-28", true)]
    [InlineData("2023-02-29", false)]
    [InlineData("1900-02-29", false)]
    [InlineData("2024-02-30", false)]
    [InlineData("2024-04-31", false)]
    [InlineData("2024-13-01", false)]
    [InlineData("2024-00-10", false)]
    [InlineData("2024-01-00", false)]
    [InlineData("2024/01/01", false)]
    [InlineData("24-01-01", false)]
    public async Task Validate_Date_IsAnIsoDateOfTheCalendar(string value, bool valid)
    {
        var spec = Spec("""
            - name: d
              logicalType: date
            """);
        await LoadCsvAsync("src", $"d\n\"{value}\"\n");

        var outcome = await Engine.ValidateAsync(spec, "src", "run-1");

        Assert.Equal(valid ? (1, 0) : (0, 1), (outcome.Valid, outcome.Quarantined));
    }

    [Fact]
    public async Task Validate_DateBounds_CompareAsDates()
    {
        var spec = Spec("""
            - name: d
              logicalType: date
              logicalTypeOptions:
                minimum: "2020-01-01"
                exclusiveMaximum: "2030-01-01"
            """);
        await LoadCsvAsync("src", "d\n2019-12-31\n2020-01-01\n2029-12-31\n2030-01-01\n");

        var outcome = await Engine.ValidateAsync(spec, "src", "run-1");

        Assert.Equal(2, outcome.Valid);
        Assert.Equal(["d: minimum", "d: exclusive_maximum"], (await ReasonsAsync(outcome, "d")).Select(r => r[1]));
    }

    [Fact]
    public async Task Validate_LengthPatternAndFormat_AreEnforced()
    {
        var spec = Spec("""
            - name: code
              logicalType: string
              logicalTypeOptions:
                minLength: 2
                maxLength: 3
                pattern: "^[A-Z]+$"
            - name: email
              logicalType: string
              logicalTypeOptions:
                format: email
            """);
        await LoadCsvAsync("src", "code,email\nAB,a@x.org\nA,b@x.org\nABCD,c@x.org\nab,d@x.org\nXY,not-an-email\n");

        var outcome = await Engine.ValidateAsync(spec, "src", "run-1");

        Assert.Equal(1, outcome.Valid);
        Assert.Equal(
            ["code: min_length", "code: max_length", "email: format", "code: pattern"],
            (await ReasonsAsync(outcome, "code")).Select(r => r[1]));
    }

    [Fact]
    public async Task Validate_AllowedValues_FromInvalidValuesRuleThatToleratesNone()
    {
        var spec = Spec("""
            - name: status
              logicalType: string
              quality:
                - metric: invalidValues
                  mustBe: 0
                  arguments:
                    validValues: [open, closed]
            """);
        await LoadCsvAsync("src", "status\nopen\nclosed\nlost\n\n");

        var outcome = await Engine.ValidateAsync(spec, "src", "run-1");

        Assert.Equal(3, outcome.Valid);
        Assert.Equal([["lost", "status: allowed_values"]], await ReasonsAsync(outcome, "status"));
    }

    [Fact]
    public async Task Validate_RowBreakingSeveralRules_CarriesEveryReason()
    {
        var spec = Spec("""
            - name: id
              logicalType: integer
              required: true
            - name: qty
              logicalType: integer
              logicalTypeOptions:
                minimum: 1
            """);
        await LoadCsvAsync("src", "id,qty\n,0\n");

        var outcome = await Engine.ValidateAsync(spec, "src", "run-1");

        Assert.Equal([[null, "id: required; qty: minimum"]], await ReasonsAsync(outcome, "id"));
    }

    [Fact]
    public async Task Validate_ValidRows_AreTypedAndProjectedOntoTheContract()
    {
        var spec = Spec("""
            - name: id
              logicalType: integer
            - name: at
              logicalType: date
            """);
        await LoadCsvAsync("src", "extra,at,id\nx,2024-02-29,7\n");

        var outcome = await Engine.ValidateAsync(spec, "src", "run-1");

        var columns = await Engine.IntrospectAsync(outcome.ValidRelation);
        Assert.Equal(["id", "at"], columns.Select(c => c.Name));
        var row = Assert.Single(await RowsAsync($"SELECT * FROM {outcome.ValidRelation}"));
        Assert.Equal(7L, ToLong(row[0]));
        Assert.Equal(new DateOnly(2024, 2, 29), ToDate(row[1]));
    }

    [Fact]
    public async Task Validate_Quarantine_KeepsRunIdAndRawText()
    {
        var spec = Spec("""
            - name: id
              logicalType: integer
            """);
        await LoadCsvAsync("src", "id\n1\n007x\n");

        var outcome = await Engine.ValidateAsync(spec, "src", "run-42");

        var row = Assert.Single(await RowsAsync($"SELECT _run_id, id FROM {outcome.QuarantineRelation}"));
        Assert.Equal("run-42", row[0]);
        Assert.Equal("007x", row[1]);
    }

    [Fact]
    public async Task Validate_InputWithoutAContractColumn_FailsNamingIt()
    {
        var spec = Spec("""
            - name: id
              logicalType: integer
            - name: email
              logicalType: string
            """);
        await LoadCsvAsync("src", "id\n1\n");

        var error = await Assert.ThrowsAsync<EngineException>(() => Engine.ValidateAsync(spec, "src", "run-1"));

        Assert.Contains("'email'", error.Message, StringComparison.Ordinal);
    }

    // ---- publish, attach, transform ------------------------------------------------------------------------

    [Fact]
    public async Task Publish_ThenAttach_ReadsTheDatasetByItsAddress()
    {
        await LoadCsvAsync("src", "id\n1\n2\n3\n");
        var snapshot = await Engine.PublishAsync("src", Path.Combine(Folder, "snap-1"));

        await Engine.AttachAsync(Address, snapshot.Folder);

        Assert.Equal(3, snapshot.Rows);
        Assert.Equal(3, await CountAsync(Address));
        Assert.DoesNotContain(Directory.EnumerateDirectories(Folder), d => d.Contains(".writing-", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Publish_IntoAnExistingSnapshot_IsRefused()
    {
        await LoadCsvAsync("src", "id\n1\n");
        var folder = Path.Combine(Folder, "snap");
        await Engine.PublishAsync("src", folder);

        await Assert.ThrowsAsync<EngineException>(() => Engine.PublishAsync("src", folder));
    }

    [Fact]
    public async Task Transform_JoinsAnInputPortWithAnUpstreamAddress()
    {
        await LoadCsvAsync("upstream", "id,name\n1,a\n2,b\n");
        await Engine.AttachAsync(Address, (await Engine.PublishAsync("upstream", Path.Combine(Folder, "up"))).Folder);
        await LoadCsvAsync("orders", "id,qty\n1,5\n1,6\n2,1\n");

        await Engine.TransformAsync($"SELECT u.name, sum(CAST(o.qty AS INTEGER)) AS qty FROM {Address} u JOIN orders o ON o.id = u.id GROUP BY u.name ORDER BY u.name;", "out");

        var rows = await RowsAsync("SELECT name, qty FROM out ORDER BY name");
        Assert.Equal(["a", "b"], rows.Select(r => r[0]));
        Assert.Equal([11L, 1L], rows.Select(r => ToLong(r[1])));
    }

    [Fact]
    public async Task Transform_SqlError_CarriesTheEngineMessage()
    {
        var error = await Assert.ThrowsAsync<EngineException>(() => Engine.TransformAsync("SELECT *\nFROM no_such_port", "out"));

        Assert.Contains("no_such_port", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Publish_SmallRelation_IsOneFile()
    {
        await LoadCsvAsync("src", "id\n1\n2\n3\n");

        var snapshot = await Engine.PublishAsync("src", Path.Combine(Folder, "small"));

        var file = Assert.Single(snapshot.Files);
        Assert.True(File.Exists(file), file);
        Assert.EndsWith(".parquet", file, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Publish_ClusteredRelationOfManyRows_WritesSeveralFilesOfOrderedRanges()
    {
        // The keys come in a scrambled order: only the clustering puts them in order.
        await Engine.TransformAsync($"SELECT (g * 7919) % 6007 AS k, g AS id FROM generate_series(1, {ManyRows}) AS t(g)", "scrambled");

        var snapshot = await Engine.PublishAsync("scrambled", Path.Combine(Folder, "clustered"), ["k"]);

        Assert.True(snapshot.Files.Count > 1, $"{snapshot.Files.Count} file(s)");
        Assert.Equal(ManyRows, snapshot.Rows);
        var ranges = new List<(long Min, long Max, long Rows)>();
        foreach (var file in snapshot.Files)
        {
            await Engine.LoadAsync(new SourceFile(file, SourceFormat.Parquet), "part");
            var row = (await RowsAsync("SELECT min(k), max(k), count(*) FROM part"))[0];
            ranges.Add((ToLong(row[0]), ToLong(row[1]), ToLong(row[2])));
        }

        Assert.Equal(ManyRows, ranges.Sum(r => r.Rows));
        Assert.All(ranges.Zip(ranges.Skip(1)), pair => Assert.True(pair.First.Max <= pair.Second.Min, $"{pair.First} overlaps {pair.Second}"));
    }

    // ---- privacy: rows left out of relations and rewritten out of snapshots ---------------------------------

    [Fact]
    public async Task RemoveRows_DateBeforeTheCutoff_AreLeftOutAndTheColumnsStay()
    {
        await Engine.TransformAsync("SELECT * FROM (VALUES (1, DATE '2023-12-31'), (2, DATE '2024-01-01'), (3, NULL)) AS t(id, d)", "dated");

        var removed = await Engine.RemoveRowsAsync("dated", Before("d", new DateOnly(2024, 1, 1)), MaskKey, "kept");

        Assert.Equal(1, removed);
        Assert.Equal([2L, 3L], await IdsAsync("kept"));
        Assert.Equal(await Engine.IntrospectAsync("dated"), await Engine.IntrospectAsync("kept"));
    }

    [Fact]
    public async Task RemoveRows_TimestampBeforeTheCutoff_AreLeftOut()
    {
        await Engine.TransformAsync(
            "SELECT * FROM (VALUES (1, TIMESTAMP '2024-03-01 11:59:59.999999'), (2, TIMESTAMP '2024-03-01 12:00:00'), (3, TIMESTAMP '2025-01-01 00:00:00')) AS t(id, happened)",
            "timed");

        var removed = await Engine.RemoveRowsAsync("timed", Before("happened", new DateTime(2024, 3, 1, 12, 0, 0, DateTimeKind.Utc)), MaskKey, "kept");

        Assert.Equal(1, removed);
        Assert.Equal([2L, 3L], await IdsAsync("kept"));
    }

    [Fact]
    public async Task RemoveRows_TimestampTzBeforeTheCutoff_ComparesInstantsNotWallClocks()
    {
        // 13:30 at +01:00 is 12:30 UTC, after a cutoff of 13:00 at +01:00 (12:00 UTC).
        await Engine.TransformAsync(
            "SELECT * FROM (VALUES (1, TIMESTAMPTZ '2024-03-01 11:59:59+00'), (2, TIMESTAMPTZ '2024-03-01 13:30:00+01'), (3, TIMESTAMPTZ '2024-03-01 12:00:00+00')) AS t(id, happened)",
            "timed");

        var removed = await Engine.RemoveRowsAsync("timed", Before("happened", new DateTimeOffset(2024, 3, 1, 13, 0, 0, TimeSpan.FromHours(1))), MaskKey, "kept");

        Assert.Equal(1, removed);
        Assert.Equal([2L, 3L], await IdsAsync("kept"));
    }

    [Fact]
    public async Task RemoveRows_RowTheFilterIsNullFor_IsKept()
    {
        await Engine.TransformAsync("SELECT * FROM (VALUES (1, 'DE'), (2, NULL), (3, 'NL')) AS t(id, country)", "people_by_country");

        var removed = await Engine.RemoveRowsAsync("people_by_country",
            new FilterBinary(FilterOperator.Equal, new FilterColumn("country"), new FilterConstant("DE")), MaskKey, "kept");

        Assert.Equal(1, removed);
        Assert.Equal([2L, 3L], await IdsAsync("kept"));
    }

    [Theory]
    [InlineData("'anna'", "'ben'", "'carl'", "ben")]
    [InlineData("'jürgen'", "'zoë'", "'ana'", "zoë")]
    [InlineData("7", "42", "420", "42")]
    public async Task RemoveRows_KeyedHashOfTheKey_RemovesExactlyThatRow(string first, string second, string third, string erased)
    {
        await Engine.TransformAsync($"SELECT * FROM (VALUES ({first}, 1), ({second}, 2), ({third}, 3)) AS t(subject, id)", "subjects");

        var removed = await Engine.RemoveRowsAsync("subjects", Erased("subject", erased), MaskKey, "kept");

        Assert.Equal(1, removed);
        Assert.Equal([1L, 3L], await IdsAsync("kept"));
    }

    [Fact]
    public async Task RemoveRows_FromAnAttachedDataset_ReadsItByItsAddress()
    {
        await Engine.TransformAsync("SELECT * FROM (VALUES (1, 'anna'), (2, 'ben')) AS t(id, subject)", "subjects");
        await Engine.AttachAsync(Address, (await Engine.PublishAsync("subjects", Path.Combine(Folder, "subjects"))).Folder);

        var removed = await Engine.RemoveRowsAsync(Address, Erased("subject", "anna"), MaskKey, "kept");

        Assert.Equal(1, removed);
        Assert.Equal([2L], await IdsAsync("kept"));
    }

    [Fact]
    public async Task RemoveRows_IntoTheRelationItself_ReplacesIt()
    {
        await Engine.TransformAsync("SELECT * FROM (VALUES (1, 'anna'), (2, 'ben')) AS t(id, subject)", "subjects");

        var removed = await Engine.RemoveRowsAsync("subjects", Erased("subject", "ben"), MaskKey, "subjects");

        Assert.Equal(1, removed);
        Assert.Equal([1L], await IdsAsync("subjects"));
    }

    [Fact]
    public async Task CountSnapshotRows_SnapshotOfSeveralFiles_CountsTheRowsTheFilterIsTrueFor()
    {
        var snapshot = await PublishManyAsync("many");

        var count = await Engine.CountSnapshotRowsAsync(snapshot.Folder, Before("d", new DateOnly(2024, 1, 11)), MaskKey);

        Assert.True(snapshot.Files.Count > 1, $"{snapshot.Files.Count} file(s)");
        Assert.Equal(Enumerable.Range(1, ManyRows).Count(g => g % 100 < 10), count);
    }

    [Fact]
    public async Task RewriteSnapshot_RowInOneFile_RewritesOnlyThatFileAndKeepsEveryOtherRow()
    {
        var snapshot = await PublishManyAsync("many", ["id"]);
        var source = Fingerprints(snapshot.Folder);
        var target = Path.Combine(Folder, "rewritten");

        var rewrite = await Engine.RewriteSnapshotAsync(snapshot.Folder, new FilterBinary(FilterOperator.Equal, new FilterColumn("id"), new FilterConstant(3000L)), MaskKey, target);

        var written = Fingerprints(target);
        // Only the rewritten file is written: the others are hard links to the source's (on Linux, where these tests run).
        var changed = written.Single(f => f.Value != source[f.Key]).Key;
        Assert.Equal(new SnapshotRewrite(1, ManyRows - 1, 1, snapshot.Files.Count - 1, new FileInfo(Path.Combine(target, changed)).Length), rewrite);
        Assert.Equal(source, Fingerprints(snapshot.Folder));
        Assert.Equal(source.Keys.Order(StringComparer.Ordinal), written.Keys.Order(StringComparer.Ordinal));
        Assert.Single(written, f => f.Value != source[f.Key]);
        Assert.DoesNotContain(Directory.EnumerateDirectories(Folder), d => d.Contains(".writing-", StringComparison.Ordinal));

        const string Rewritten = "test.data.rewritten_v1";
        await Engine.AttachAsync(Address, snapshot.Folder);
        await Engine.AttachAsync(Rewritten, target);
        Assert.Equal(await Engine.IntrospectAsync(Address), await Engine.IntrospectAsync(Rewritten));
        Assert.Equal([3000L], (await RowsAsync($"SELECT id FROM (SELECT * FROM {Address} EXCEPT ALL SELECT * FROM {Rewritten}) AS gone")).Select(r => ToLong(r[0])));
        Assert.Empty(await RowsAsync($"SELECT * FROM {Rewritten} EXCEPT ALL SELECT * FROM {Address}"));
    }

    [Fact]
    public async Task RewriteSnapshot_NoRowMatches_WritesNothing()
    {
        var snapshot = await PublishManyAsync("many");
        var target = Path.Combine(Folder, "rewritten");

        var rewrite = await Engine.RewriteSnapshotAsync(snapshot.Folder, Erased("email", "nobody@example.org"), MaskKey, target);

        Assert.Equal(new SnapshotRewrite(0, ManyRows, 0, 0, 0), rewrite);
        Assert.False(Directory.Exists(target));
        Assert.DoesNotContain(Directory.EnumerateDirectories(Folder), d => d.Contains(".writing-", StringComparison.Ordinal));
    }

    [Fact]
    public async Task RewriteSnapshot_IntoAnExistingFolder_IsRefused()
    {
        var snapshot = await PublishManyAsync("many");
        var target = Directory.CreateDirectory(Path.Combine(Folder, "rewritten")).FullName;

        await Assert.ThrowsAsync<EngineException>(() => Engine.RewriteSnapshotAsync(snapshot.Folder, Before("d", new DateOnly(2024, 1, 11)), MaskKey, target));

        Assert.Empty(Directory.EnumerateFileSystemEntries(target));
    }

    [Fact]
    public async Task RewriteSnapshot_EmptySnapshot_CountsAndRemovesNothing()
    {
        await Engine.TransformAsync("SELECT * FROM (VALUES (1, 'anna')) AS t(id, subject) WHERE 1 = 0", "none");
        var snapshot = await Engine.PublishAsync("none", Path.Combine(Folder, "none"));
        var target = Path.Combine(Folder, "rewritten");

        var count = await Engine.CountSnapshotRowsAsync(snapshot.Folder, Erased("subject", "anna"), MaskKey);
        var rewrite = await Engine.RewriteSnapshotAsync(snapshot.Folder, Erased("subject", "anna"), MaskKey, target);

        Assert.Equal(0, snapshot.Rows);
        Assert.Single(snapshot.Files);
        Assert.Equal(0, count);
        Assert.Equal(new SnapshotRewrite(0, 0, 0, 0, 0), rewrite);
        Assert.False(Directory.Exists(target));
    }

    [Fact]
    public async Task RewriteSnapshot_QuarantineSnapshot_RemovesTheSubjectsRowsAndKeepsTheRest()
    {
        var spec = Spec("""
            - name: id
              logicalType: integer
            - name: email
              logicalType: string
            """);
        await LoadCsvAsync("src", "id,email\n1,a@x.org\nx,b@x.org\ny,c@x.org\n");
        var outcome = await Engine.ValidateAsync(spec, "src", "run-1");
        var quarantine = await Engine.PublishAsync(outcome.QuarantineRelation, Path.Combine(Folder, "quarantine"));
        var target = Path.Combine(Folder, "quarantine-rewritten");

        var count = await Engine.CountSnapshotRowsAsync(quarantine.Folder, Erased("email", "b@x.org"), MaskKey);
        var rewrite = await Engine.RewriteSnapshotAsync(quarantine.Folder, Erased("email", "b@x.org"), MaskKey, target);

        Assert.Equal(1, count);
        Assert.Equal((1L, 1L, 1), (rewrite.Removed, rewrite.Kept, rewrite.FilesRewritten));
        await Engine.AttachAsync(Address, quarantine.Folder);
        await Engine.AttachAsync("test.data.rewritten_v1", target);
        Assert.Equal(await Engine.IntrospectAsync(Address), await Engine.IntrospectAsync("test.data.rewritten_v1"));
        var row = Assert.Single(await RowsAsync("SELECT _run_id, id, email FROM test.data.rewritten_v1"));
        Assert.Equal(["run-1", "y", "c@x.org"], row.Select(v => v?.ToString()));
    }

    // ---- quality checks ------------------------------------------------------------------------------------

    [Theory]
    [InlineData("mustBe: 4", true)]
    [InlineData("mustBe: 3", false)]
    [InlineData("mustNotBe: 4", false)]
    [InlineData("mustBeGreaterThan: 3", true)]
    [InlineData("mustBeGreaterThan: 4", false)]
    [InlineData("mustBeGreaterOrEqualTo: 4", true)]
    [InlineData("mustBeLessThan: 4", false)]
    [InlineData("mustBeLessOrEqualTo: 4", true)]
    [InlineData("mustBeBetween: [1, 4]", true)]
    [InlineData("mustBeBetween: [5, 9]", false)]
    [InlineData("mustNotBeBetween: [1, 3]", true)]
    public async Task Check_RowCount_AppliesEveryOperator(string threshold, bool passes)
    {
        var spec = Spec("""
            - name: id
              logicalType: integer
            """, $"""
            - metric: rowCount
              {threshold}
            """);
        await LoadCsvAsync("src", "id\n1\n2\n3\n4\n");

        var outcome = Assert.Single(await Engine.RunChecksAsync(spec, "src"));

        Assert.Equal(4m, outcome.Value);
        Assert.Equal(passes ? CheckStatus.Passed : CheckStatus.Failed, outcome.Status);
    }

    [Theory]
    [InlineData("metric: nullValues", "", 2)]
    [InlineData("metric: nullValues\n      unit: percent", "", 40)]
    [InlineData("metric: missingValues", "arguments: { missingValues: [null, 'n/a'] }", 3)]
    [InlineData("metric: invalidValues", "arguments: { validValues: [a, b] }", 1)]
    [InlineData("metric: duplicateValues", "", 1)]
    public async Task Check_ColumnMetrics_MeasureTheColumn(string metric, string arguments, int expected)
    {
        var spec = Spec($"""
            - name: v
              logicalType: string
              quality:
                - {metric}
                  mustBeGreaterOrEqualTo: 0
                  {arguments}
            """);
        await Engine.TransformAsync("SELECT * FROM (VALUES ('a'), ('a'), ('n/a'), (NULL), (NULL)) AS t(v)", "five");

        var outcome = Assert.Single(await Engine.RunChecksAsync(spec, "five"));

        Assert.Equal(expected, outcome.Value);
    }

    [Fact]
    public async Task Check_DuplicateValuesOverSeveralColumns_CountsRepeatedCombinations()
    {
        var spec = Spec("""
            - name: a
              logicalType: string
            - name: b
              logicalType: string
            """, """
            - metric: duplicateValues
              mustBe: 0
              arguments:
                properties: [a, b]
            """);
        await LoadCsvAsync("src", "a,b\n1,1\n1,2\n1,1\n");

        var outcome = Assert.Single(await Engine.RunChecksAsync(spec, "src"));

        Assert.Equal(1m, outcome.Value);
        Assert.Equal(CheckStatus.Failed, outcome.Status);
    }

    [Theory]
    [InlineData("SELECT count(*) FROM ${object} WHERE CAST(id AS INTEGER) > 2")]
    [InlineData("SELECT count(*) FROM {object} WHERE CAST(id AS INTEGER) > 2")]
    [InlineData("SELECT count(*) FROM ${table} WHERE CAST(id AS INTEGER) > 2")]
    public async Task Check_Sql_ReplacesTheObjectPlaceholders(string query)
    {
        var spec = Spec("""
            - name: id
              logicalType: integer
            """, $"""
            - type: sql
              query: "{query}"
              mustBe: 2
            """);
        await LoadCsvAsync("src", "id\n1\n2\n3\n4\n");

        var outcome = Assert.Single(await Engine.RunChecksAsync(spec, "src"));

        Assert.Equal(CheckStatus.Passed, outcome.Status);
    }

    [Fact]
    public async Task Check_SqlOnAProperty_ReplacesThePropertyPlaceholder()
    {
        var spec = Spec("""
            - name: id
              logicalType: integer
              quality:
                - type: sql
                  query: "SELECT max(CAST({property} AS INTEGER)) FROM {object}"
                  mustBe: 4
            """);
        await LoadCsvAsync("src", "id\n1\n4\n");

        Assert.Equal(CheckStatus.Passed, Assert.Single(await Engine.RunChecksAsync(spec, "src")).Status);
    }

    [Fact]
    public async Task Check_FailingWarning_IsWarnedNotFailed()
    {
        var spec = Spec("""
            - name: id
              logicalType: integer
            """, """
            - metric: rowCount
              mustBeGreaterThan: 100
              severity: warning
            """);
        await LoadCsvAsync("src", "id\n1\n");

        Assert.Equal(CheckStatus.Warned, Assert.Single(await Engine.RunChecksAsync(spec, "src")).Status);
    }

    [Fact]
    public async Task Check_BrokenSql_IsAnErrorOutcomeNotAnException()
    {
        var spec = Spec("""
            - name: id
              logicalType: integer
            """, """
            - type: sql
              query: SELECT nope FROM ${object}
              mustBe: 0
            """);
        await LoadCsvAsync("src", "id\n1\n");

        var outcome = Assert.Single(await Engine.RunChecksAsync(spec, "src"));

        Assert.Equal(CheckStatus.Error, outcome.Status);
        Assert.Contains("nope", outcome.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Check_SqlFailingOnAValue_ErrorQuotesNoValue()
    {
        var spec = Spec("""
            - name: id
              logicalType: integer
            """, """
            - type: sql
              query: SELECT sum(CAST(name AS INTEGER)) FROM ${object}
              mustBe: 0
            """);
        await LoadCsvAsync("src", "id,name\n1,secret.person@mail.example\n");

        var outcome = Assert.Single(await Engine.RunChecksAsync(spec, "src"));

        // Check results are stored and shown to every reader of the dataset's quality.
        Assert.Equal(CheckStatus.Error, outcome.Status);
        Assert.DoesNotContain("secret", outcome.Message, StringComparison.Ordinal);
        Assert.Contains("name", outcome.Message, StringComparison.Ordinal);
    }

    // ---- helpers -------------------------------------------------------------------------------------------

    /// <summary>The filter of rows whose <paramref name="column"/> is before <paramref name="cutoff"/> (a date or point in time).</summary>
    private static FilterBinary Before(string column, object cutoff) =>
        new(FilterOperator.Less, new FilterColumn(column), new FilterConstant(cutoff));

    /// <summary>The filter of rows whose <paramref name="column"/>'s keyed hash is that of <paramref name="value"/>, hashed here as .NET does.</summary>
    private static FilterIn Erased(string column, string value) =>
        new(new FilterKeyedHash(new FilterColumn(column)), [new FilterConstant(Convert.ToHexStringLower(HMACSHA256.HashData(MaskKey, Encoding.UTF8.GetBytes(value))))]);

    /// <summary>A snapshot of <see cref="ManyRows"/> rows (id, email, a date in 100 days), several files.</summary>
    private async Task<SnapshotInfo> PublishManyAsync(string name, IReadOnlyList<string>? clusterBy = null)
    {
        await Engine.TransformAsync(
            $"SELECT g AS id, 'user-' || CAST(g AS VARCHAR) || '@example.org' AS email, DATE '2024-01-01' + CAST(g % 100 AS INTEGER) AS d FROM generate_series(1, {ManyRows}) AS t(g)",
            name);
        return await Engine.PublishAsync(name, Path.Combine(Folder, name), clusterBy);
    }

    private async Task<List<long>> IdsAsync(string relation) =>
        [.. (await RowsAsync($"SELECT id FROM {relation} ORDER BY id")).Select(r => ToLong(r[0]))];

    /// <summary>Each file of a folder by name, with the SHA-256 of its bytes.</summary>
    private static Dictionary<string, string> Fingerprints(string folder) =>
        Directory.EnumerateFiles(folder).ToDictionary(f => Path.GetFileName(f), f => Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(f))), StringComparer.Ordinal);

    /// <summary>Compiles a one-object contract with the given properties (and object-level quality rules).</summary>
    protected static DatasetSpec Spec(string properties, string? quality = null)
    {
        var yaml = "apiVersion: v3.1.0\nkind: DataContract\nid: test.contract\nversion: 1.0.0\nstatus: active\nschema:\n  - name: items\n    properties:\n"
            + Indent(properties, 6) + (quality is null ? string.Empty : "    quality:\n" + Indent(quality, 6));
        var diagnostics = new DiagnosticBag();
        var contract = ContractReader.Parse(yaml, "test.odcs.yaml");
        var spec = ContractCompiler.CompileObject(Address, contract, contract.Schema[0], diagnostics);
        Assert.Empty(diagnostics.ToSortedList());
        return spec;
    }

    protected string Write(string name, string content)
    {
        var path = Path.Combine(Folder, name);
        File.WriteAllText(path, content);
        return path;
    }

    protected Task LoadCsvAsync(string relation, string csv) =>
        Engine.LoadAsync(new SourceFile(Write(relation + "-" + Guid.NewGuid().ToString("N")[..6] + ".csv", csv), SourceFormat.Csv), relation);

    protected async Task<long> CountAsync(string relation) =>
        ToLong((await RowsAsync($"SELECT count(*) FROM {relation}"))[0][0]);

    /// <summary>An integer as engines return it (their 64- or 128-bit types).</summary>
    protected static long ToLong(object? value) => value switch
    {
        System.Numerics.BigInteger big => (long)big,
        _ => Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture),
    };

    protected Task<List<object?[]>> RowsAsync(string sql) => RowsAsync(Engine, sql);

    protected static async Task<List<object?[]>> RowsAsync(IComputeEngine engine, string sql)
    {
        ArgumentNullException.ThrowIfNull(engine);
        var rows = new List<object?[]>();
        await using DbDataReader reader = await engine.ReadAsync(sql);
        while (await reader.ReadAsync())
        {
            var row = new object?[reader.FieldCount];
            for (var i = 0; i < row.Length; i++)
            {
                row[i] = reader.IsDBNull(i) ? null : reader.GetValue(i);
            }

            rows.Add(row);
        }

        return rows;
    }

    /// <summary>Quarantined rows as [raw value of <paramref name="column"/>, reasons joined by "; "], ordered by that value.</summary>
    private async Task<List<string?[]>> ReasonsAsync(ValidationOutcome outcome, string column) =>
        [.. (await RowsAsync($"SELECT {column}, array_to_string(_reasons, '; ') AS r FROM {outcome.QuarantineRelation} ORDER BY {column} NULLS FIRST, r"))
            .Select(r => new[] { r[0]?.ToString(), r[1]?.ToString() })];

    protected static DateOnly ToDate(object? value) => value switch
    {
        DateOnly d => d,
        DateTime dt => DateOnly.FromDateTime(dt),
        _ => DateOnly.Parse(value?.ToString() ?? string.Empty, System.Globalization.CultureInfo.InvariantCulture),
    };

    private static string Indent(string text, int spaces) =>
        string.Concat(text.Split('\n').Where(l => l.Length > 0).Select(l => new string(' ', spaces) + l + "\n"));

    // ---- upstream datasets through an access plan ----------------------------------------------------------

    protected const string PeopleAddress = "test.governed.people_v1";

    protected static readonly byte[] MaskKey = "conformance-mask-key-0123456789"u8.ToArray();

    [Fact]
    public async Task AttachGoverned_TransformReadsMaskedValuesOfVisibleRowsOnly()
    {
        // A pipeline reading an upstream dataset: the transform sees the plan's view, not the snapshot.
        var people = await PublishPeopleAsync();
        await using var pipeline = await OpenEngineAsync();
        await pipeline.AttachGovernedAsync(new GovernedView(PeopleAddress, people, [new GovernedColumn("id"), new GovernedColumn("email", new ColumnMask(MaskKind.Null))],
            new FilterIn(new FilterColumn("country"), [new FilterConstant("DE"), new FilterConstant("NL")])), MaskKey);

        await pipeline.TransformAsync($"SELECT id, email FROM {PeopleAddress}", "derived");

        var rows = await RowsAsync(pipeline, "SELECT id, email FROM derived ORDER BY id");
        Assert.Equal([1L, 3L], rows.Select(r => ToLong(r[0])));
        Assert.All(rows, r => Assert.Null(r[1]));
        await QueryFailsAsync(pipeline, $"SELECT country FROM {PeopleAddress}");
    }

    protected async Task<string> PublishPeopleAsync(string? folder = null)
    {
        await Engine.TransformAsync("""
            SELECT * FROM (VALUES
                (1, 'Ab1-z', '+49 30 5551234', 'anna@example.org', DATE '1990-05-06', 'DE'),
                (2, NULL, NULL, NULL, NULL, NULL),
                (3, 'xyZ 9', '1234', 'ben@example.org', DATE '2001-12-31', 'NL'),
                (4, 'q', '030-12345678901', 'carl@example.com', DATE '1985-02-28', 'FR')
            ) AS t(id, code, phone, email, born, country)
            """, "people");
        return await PublishedAsync("people", folder ?? Path.Combine(Folder, "snapshots", "people-" + Guid.NewGuid().ToString("N")[..6]));
    }

    /// <summary>
    /// Publishes a relation as a consumer session reads it: a snapshot (its folder returned), and for an engine that
    /// keeps versions in its own database the version named by the folder, made current.
    /// </summary>
    protected virtual async Task<string> PublishedAsync(string relation, string folder) => (await Engine.PublishAsync(relation, folder)).Folder;

    /// <summary>Runs a query to its end on <paramref name="engine"/> and asserts that the engine refuses it.</summary>
    protected static async Task QueryFailsAsync(IComputeEngine engine, string sql)
    {
        var error = await Record.ExceptionAsync(() => RowsAsync(engine, sql));

        Assert.True(error is EngineException or DbException, $"'{sql}' should have failed, but {(error is null ? "it ran" : "threw " + error.GetType().Name + ": " + error.Message)}.");
    }
}
