using System.Data.Common;
using System.Security.Cryptography;
using System.Text;
using Apache.Arrow;
using Apache.Arrow.Types;
using Meshwork.Engines.Ir;

namespace Meshwork.Engines.Conformance;

/// <summary>
/// What an engine that serves reads must do besides its pipeline role: a consumer session (ServeAsync) over a
/// published dataset, with every mask and filter of the engine-neutral IR, the resolver's checks, and what the
/// session can no longer reach. Rows are read as consumers get them: Arrow, through <see cref="IQueryEngine"/> only.
/// What locks a session down is each engine's own (files and settings in DuckDB, roles in PostgreSQL) and is tested
/// beside its implementation.
/// </summary>
public abstract class EngineQueryConformanceTests : EngineConformanceTests
{
    /// <summary>A new consumer session of the engine under test, on what <see cref="EngineConformanceTests.Engine"/> publishes.</summary>
    protected abstract Task<IQueryEngine> OpenQueryEngineAsync();

    /// <summary>A query that runs for an hour unless the engine is interrupted.</summary>
    protected abstract string EndlessQuery { get; }

    #region Governed views: masks, row filters and the locked consumer session

    // A consumer session (ServeAsync) over a published snapshot: every mask and filter of the engine-neutral IR
    // with exact values, then what the session can no longer reach or change.

    private const string OrdersAddress = "test.governed.orders_v1";

    [Fact]
    public async Task Serve_Mask_ReplacesUpperLowerAndDigits()
    {
        var values = await MaskedAsync("code", new ColumnMask(MaskKind.Mask));

        Assert.Equal(["Xxn-x", null, "xxX n", "x"], values);
    }

    [Fact]
    public async Task Serve_Mask_ReplacesLettersBeyondAscii()
    {
        await Engine.TransformAsync("SELECT * FROM (VALUES (1, 'Jörg Ünal'), (2, 'José Núñez')) AS t(id, name)", "names");
        var snapshot = await PublishedAsync("names", Path.Combine(Folder, "snapshots", "names-1"));
        await using var consumer = await ServeAsync(snapshot, [new GovernedColumn("id"), new GovernedColumn("name", new ColumnMask(MaskKind.Mask))]);

        var rows = await RowsAsync(consumer, $"SELECT name FROM {PeopleAddress} ORDER BY id");

        // Upper-case letters are letters whatever their script: an umlaut or an accent must not show through.
        Assert.Equal(["Xxxx Xxxx", "Xxxx Xxxxx"], rows.Select(r => r[0]));
    }

    [Fact]
    public async Task Serve_MaskShowLast4_KeepsTheLastFourCharacters()
    {
        var values = await MaskedAsync("phone", new ColumnMask(MaskKind.ShowLast4));

        Assert.Equal(["xxxxxxxxxx1234", null, "1234", "xxxxxxxxxxx8901"], values);
    }

    [Fact]
    public async Task Serve_MaskShowFirst4_KeepsTheFirstFourCharacters()
    {
        var values = await MaskedAsync("phone", new ColumnMask(MaskKind.ShowFirst4));

        Assert.Equal(["+49 xxxxxxxxxx", null, "1234", "030-xxxxxxxxxxx"], values);
    }

    [Fact]
    public async Task Serve_MaskHash_IsTheKeyedHmacSha256OfTheText()
    {
        var values = await MaskedAsync("email", new ColumnMask(MaskKind.Hash));

        Assert.Equal([Hmac("anna@example.org"), null, Hmac("ben@example.org"), Hmac("carl@example.com")], values);
        Assert.NotEqual(Convert.ToHexStringLower(SHA256.HashData("anna@example.org"u8)), values[0]);
    }

    [Fact]
    public async Task Serve_MaskHash_EqualValuesHashEqualAcrossViews()
    {
        var people = await PublishPeopleAsync();
        await Engine.TransformAsync("SELECT * FROM (VALUES (10, 'anna@example.org'), (11, 'zoe@example.org')) AS t(order_id, email)", "orders");
        var orders = await PublishedAsync("orders", Path.Combine(Folder, "snapshots", "orders-1"));
        var hash = new ColumnMask(MaskKind.Hash);
        await using var consumer = await OpenQueryEngineAsync();
        await consumer.ServeAsync(
            [
                new GovernedView(PeopleAddress, people, [new GovernedColumn("id"), new GovernedColumn("email", hash)]),
                new GovernedView(OrdersAddress, orders, [new GovernedColumn("order_id"), new GovernedColumn("email", hash)]),
            ],
            new ConsumerLimits(), MaskKey);

        var joined = await RowsAsync(consumer, $"SELECT p.id, o.order_id, o.email FROM {PeopleAddress} p JOIN {OrdersAddress} o ON o.email = p.email");

        var row = Assert.Single(joined);
        Assert.Equal((1L, 10L), (ToLong(row[0]), ToLong(row[1])));
        Assert.Equal(Hmac("anna@example.org"), row[2]);
    }

    [Fact]
    public async Task Serve_MaskNull_HidesEveryValue()
    {
        var values = await MaskedAsync("email", new ColumnMask(MaskKind.Null));

        Assert.Equal([null, null, null, null], values);
    }

    [Fact]
    public async Task Serve_MaskDateShowYear_IsTheFirstOfJanuary()
    {
        var people = await PublishPeopleAsync();
        await using var consumer = await ServeAsync(people, [new GovernedColumn("id"), new GovernedColumn("born", new ColumnMask(MaskKind.DateShowYear))]);

        var rows = await RowsAsync(consumer, $"SELECT born FROM {PeopleAddress} ORDER BY id");

        Assert.Equal([new DateOnly(1990, 1, 1), null, new DateOnly(2001, 1, 1), new DateOnly(1985, 1, 1)], rows.Select(r => r[0] is null ? (DateOnly?)null : ToDate(r[0])));
    }

    [Fact]
    public async Task Serve_MaskNone_LeavesTheValueClear()
    {
        var values = await MaskedAsync("email", new ColumnMask(MaskKind.None));

        Assert.Equal(["anna@example.org", null, "ben@example.org", "carl@example.com"], values);
    }

    [Fact]
    public async Task Serve_CustomMask_ReplacesTheColumnPlaceholder()
    {
        var values = await MaskedAsync("email", new ColumnMask(MaskKind.Custom, "upper({column})"));

        Assert.Equal(["ANNA@EXAMPLE.ORG", null, "BEN@EXAMPLE.ORG", "CARL@EXAMPLE.COM"], values);
    }

    [Theory]
    [InlineData(MaskKind.Mask)]
    [InlineData(MaskKind.ShowLast4)]
    [InlineData(MaskKind.ShowFirst4)]
    [InlineData(MaskKind.Hash)]
    [InlineData(MaskKind.None)]
    public async Task Serve_TextMaskOfNull_StaysNull(MaskKind kind)
    {
        var values = await MaskedAsync("email", new ColumnMask(kind));

        Assert.Null(values[1]);
        Assert.NotNull(values[0]);
    }

    [Theory]
    [InlineData(MaskKind.Mask)]
    [InlineData(MaskKind.ShowLast4)]
    [InlineData(MaskKind.ShowFirst4)]
    [InlineData(MaskKind.Hash)]
    [InlineData(MaskKind.Null)]
    [InlineData(MaskKind.DateShowYear)]
    [InlineData(MaskKind.None)]
    public async Task Serve_EveryMask_KeepsEveryColumnsType(MaskKind kind)
    {
        // One schema for every reader: a masked column has the type the clear one has.
        var typed = await PublishTypedAsync();
        var columns = new[] { "id", "amount", "price", "born", "seen", "flag", "label" };
        await using var clear = await ServeAsync(typed, [.. columns.Select(c => new GovernedColumn(c))], address: TypedAddress);
        await using var masked = await ServeAsync(typed, [new GovernedColumn("id"), .. columns.Skip(1).Select(c => new GovernedColumn(c, new ColumnMask(kind)))], address: TypedAddress);

        Assert.Equal(await ColumnsAsync(clear, TypedAddress), await ColumnsAsync(masked, TypedAddress));
    }

    [Fact]
    public async Task Serve_Columns_HaveTheSameArrowTypesOnEveryEngine()
    {
        // One schema for every reader, whichever engine serves the dataset.
        var typed = await PublishTypedAsync();
        var columns = new[] { "id", "amount", "price", "born", "seen", "flag", "label" };
        await using var consumer = await ServeAsync(typed, [.. columns.Select(c => new GovernedColumn(c))], address: TypedAddress);

        Assert.Equal(
            [("id", "Int32"), ("amount", "Int64"), ("price", "decimal(10,2)"), ("born", "Date32"), ("seen", "timestamp(Microsecond, )"), ("flag", "Boolean"), ("label", "String")],
            await ColumnsAsync(consumer, TypedAddress));
    }

    [Fact]
    public async Task Serve_MaskOfNumbers_KeepsTheShapeWithEveryDigitOne()
    {
        var rows = await TypedMaskedAsync(new ColumnMask(MaskKind.Mask), "amount", "price");

        Assert.Equal([1111111L, null], rows.Select(r => r[0] is null ? (long?)null : ToLong(r[0])));
        Assert.Equal([-111.11m, null], rows.Select(r => r[1] is null ? (decimal?)null : Convert.ToDecimal(r[1], System.Globalization.CultureInfo.InvariantCulture)));
    }

    [Fact]
    public async Task Serve_MaskShowLast4OfANumber_KeepsItsLastFourDigits()
    {
        var rows = await TypedMaskedAsync(new ColumnMask(MaskKind.ShowLast4), "amount");

        Assert.Equal(1114567L, ToLong(rows[0][0]));
    }

    [Fact]
    public async Task Serve_MaskHashOfAnInteger_IsANumberEqualForEqualValuesAndNullForNull()
    {
        var typed = await PublishTypedAsync();
        await using var consumer = await ServeAsync(typed, [new GovernedColumn("id"), new GovernedColumn("amount", new ColumnMask(MaskKind.Hash)),
            new GovernedColumn("twin", new ColumnMask(MaskKind.Hash))], address: TypedAddress);

        var rows = await RowsAsync(consumer, $"SELECT amount, twin FROM {TypedAddress} ORDER BY id");

        // The hash's first 60 bits of HMAC-SHA256 over the value's text: keyed, equal across columns and datasets.
        Assert.Equal(Convert.ToInt64(Hmac("1234567")[..15], 16), ToLong(rows[0][0]));
        Assert.Equal(ToLong(rows[0][0]), ToLong(rows[0][1]));
        Assert.Null(rows[1][0]);
    }

    [Fact]
    public async Task Serve_MaskOfDatesAndTimestamps_KeepsTheYear()
    {
        var rows = await TypedMaskedAsync(new ColumnMask(MaskKind.Mask), "born", "seen");

        Assert.Equal(new DateOnly(1990, 1, 1), ToDate(rows[0][0]));
        Assert.Equal(new DateTime(2024, 1, 1), Convert.ToDateTime(rows[0][1], System.Globalization.CultureInfo.InvariantCulture));
        Assert.Null(rows[1][0]);
    }

    [Fact]
    public async Task Serve_MaskOfABoolean_IsNull()
    {
        var rows = await TypedMaskedAsync(new ColumnMask(MaskKind.Mask), "flag");

        Assert.Equal([null, null], rows.Select(r => r[0]));
    }

    [Fact]
    public async Task Serve_CustomMaskOfAnotherType_IsCastToTheColumnsType()
    {
        var rows = await TypedMaskedAsync(new ColumnMask(MaskKind.Custom, "{column} * 2"), "amount");

        Assert.Equal(2469134L, ToLong(rows[0][0]));
    }

    [Fact]
    public async Task Serve_View_HasOnlyTheGivenColumnsInTheirOrder()
    {
        var people = await PublishPeopleAsync();
        await using var consumer = await ServeAsync(people, [new GovernedColumn("email"), new GovernedColumn("id")]);

        var columns = await ColumnsAsync(consumer, PeopleAddress);

        Assert.Equal(["email", "id"], columns.Select(c => c.Name));
        await QueryFailsAsync(consumer, $"SELECT phone FROM {PeopleAddress}");
    }

    [Fact]
    public async Task Serve_FilterEqual_HidesOtherRows() =>
        Assert.Equal([1L], await VisibleAsync(new FilterBinary(FilterOperator.Equal, new FilterColumn("country"), new FilterConstant("DE"))));

    [Fact]
    public async Task Serve_FilterIn_KeepsRowsWithAListedValue() =>
        Assert.Equal([1L, 3L], await VisibleAsync(new FilterIn(new FilterColumn("country"), [new FilterConstant("DE"), new FilterConstant("NL")])));

    [Fact]
    public async Task Serve_FilterInNothing_HidesEveryRow() =>
        Assert.Empty(await VisibleAsync(new FilterIn(new FilterColumn("country"), [])));

    [Fact]
    public async Task Serve_FilterAndOrNot_Combine()
    {
        var deOrFr = new FilterBinary(FilterOperator.Or,
            new FilterBinary(FilterOperator.Equal, new FilterColumn("country"), new FilterConstant("DE")),
            new FilterBinary(FilterOperator.Equal, new FilterColumn("country"), new FilterConstant("FR")));
        var notCarl = new FilterNot(new FilterString(FilterStringTest.StartsWith, new FilterColumn("email"), new FilterConstant("carl")));

        Assert.Equal([1L, 4L], await VisibleAsync(deOrFr));
        Assert.Equal([1L], await VisibleAsync(new FilterBinary(FilterOperator.And, deOrFr, notCarl)));
    }

    [Theory]
    [InlineData(FilterStringTest.StartsWith, "ben", 3L)]
    [InlineData(FilterStringTest.EndsWith, ".com", 4L)]
    [InlineData(FilterStringTest.Contains, "nna@", 1L)]
    public async Task Serve_FilterStringTest_KeepsMatchingRows(FilterStringTest test, string argument, long id) =>
        Assert.Equal([id], await VisibleAsync(new FilterString(test, new FilterColumn("email"), new FilterConstant(argument))));

    [Theory]
    [InlineData(FilterOperator.NotEqual, 3L, new[] { 1L, 2L, 4L })]
    [InlineData(FilterOperator.Less, 3L, new[] { 1L, 2L })]
    [InlineData(FilterOperator.LessOrEqual, 3L, new[] { 1L, 2L, 3L })]
    [InlineData(FilterOperator.Greater, 3L, new[] { 4L })]
    [InlineData(FilterOperator.GreaterOrEqual, 3L, new[] { 3L, 4L })]
    public async Task Serve_FilterComparison_OnNumbers(FilterOperator op, long value, long[] expected) =>
        Assert.Equal(expected, await VisibleAsync(new FilterBinary(op, new FilterColumn("id"), new FilterConstant(value))));

    [Fact]
    public async Task Serve_FilterThatIsUnknownForARow_HidesTheRow() =>
        // Row 2 has no country: 'country <> DE' is neither true nor false for it, and unknown hides.
        Assert.Equal([3L, 4L], await VisibleAsync(new FilterBinary(FilterOperator.NotEqual, new FilterColumn("country"), new FilterConstant("DE"))));

    [Fact]
    public async Task Serve_FilterComparingWithANullConstant_MeansIsNull()
    {
        // CEL's 'row.country == null' compiles to a comparison with a null constant; it holds for the row without a country.
        Assert.Equal([2L], await VisibleAsync(new FilterBinary(FilterOperator.Equal, new FilterColumn("country"), new FilterConstant(null))));
        Assert.Equal([1L, 3L, 4L], await VisibleAsync(new FilterBinary(FilterOperator.NotEqual, new FilterColumn("country"), new FilterConstant(null))));
    }

    [Fact]
    public async Task Serve_FilterStringConstant_IsAValueNotSql() =>
        Assert.Empty(await VisibleAsync(new FilterBinary(FilterOperator.Equal, new FilterColumn("country"), new FilterConstant("x' OR '1' = '1"))));

    [Fact]
    public async Task Serve_FilterConstant_KeepsAllOrNothing()
    {
        Assert.Equal([1L, 2L, 3L, 4L], await VisibleAsync(new FilterConstant(true)));
        Assert.Empty(await VisibleAsync(new FilterConstant(false)));
    }

    [Fact]
    public async Task Serve_FilterOnAMaskedColumn_TestsTheClearValue()
    {
        var people = await PublishPeopleAsync();
        await using var consumer = await ServeAsync(people, [new GovernedColumn("id"), new GovernedColumn("email", new ColumnMask(MaskKind.Hash))],
            new FilterString(FilterStringTest.StartsWith, new FilterColumn("email"), new FilterConstant("anna")));

        var row = Assert.Single(await RowsAsync(consumer, $"SELECT id, email FROM {PeopleAddress}"));

        Assert.Equal(1L, ToLong(row[0]));
        Assert.Equal(Hmac("anna@example.org"), row[1]);
    }

    [Fact]
    public async Task Serve_ConsumerPredicate_NeverRunsOnAHiddenRow()
    {
        var people = await PublishPeopleAsync();
        await using var consumer = await ServeAsync(people, [new GovernedColumn("id"), new GovernedColumn("email")],
            new FilterBinary(FilterOperator.Equal, new FilterColumn("country"), new FilterConstant("DE")));

        // The cast fails on the hidden French row only: were the consumer's predicate run before the filter, its error
        // would tell that such a row exists (and the error's text could quote it).
        var rows = await RowsAsync(consumer, $"SELECT id FROM {PeopleAddress} WHERE CAST(CASE WHEN email = 'carl@example.com' THEN 'x' ELSE '1' END AS INTEGER) = 1");

        Assert.Equal([1L], rows.Select(r => ToLong(r[0])));
    }

    [Fact]
    public async Task Serve_ConsumerExpression_SeesOnlyTheMaskedValue()
    {
        var people = await PublishPeopleAsync();
        await using var consumer = await ServeAsync(people, [new GovernedColumn("id"), new GovernedColumn("email", new ColumnMask(MaskKind.Null))]);

        // A predicate on the clear value would find anna; on the masked value (NULL) it finds nobody.
        Assert.Empty(await RowsAsync(consumer, $"SELECT id FROM {PeopleAddress} WHERE email LIKE 'anna%' OR length(email) > 0"));
    }

    [Fact]
    public async Task Serve_ConsumerQuery_CannotReadTheSnapshotAroundTheView()
    {
        var people = await PublishPeopleAsync();
        await using var consumer = await ServeAsync(people, [new GovernedColumn("id"), new GovernedColumn("email", new ColumnMask(MaskKind.Hash))]);
        var files = Path.Combine(people, "*.parquet");

        // Inside the data folder the engine may still read files (its views do): a consumer's query must not get there,
        // whether it names a table function or the file itself.
        foreach (var sql in new[] { $"SELECT email FROM read_parquet('{files}')", $"SELECT email FROM '{files}'" })
        {
            var leaked = await Record.ExceptionAsync(async () =>
            {
                var inspection = await consumer.InspectQueryAsync(sql, new ConsumerLimits());
                var rows = await RowsAsync(consumer, inspection.Sql);
                throw new InvalidOperationException($"'{sql}' passed inspection (datasets: [{string.Join(", ", inspection.Datasets)}]) and read {rows.Count} rows: {string.Join(", ", rows.Select(r => r[0]))}");
            });

            Assert.True(leaked is QueryRefusedException or EngineException or DbException, leaked?.Message);
        }
    }

    // The resolver (the first layer): every name a consumer's query uses is a dataset address or a WITH name in scope.

    [Theory]
    [InlineData("WITH c AS (SELECT id FROM test.governed.people_v1) SELECT * FROM c")]
    [InlineData("WITH a AS (SELECT id FROM test.governed.people_v1), b AS (SELECT * FROM a) SELECT * FROM b")]
    [InlineData("WITH a AS (SELECT id FROM test.governed.people_v1) SELECT * FROM (WITH b AS (SELECT * FROM a) SELECT * FROM b) AS s")]
    [InlineData("WITH a AS (SELECT id FROM test.governed.people_v1) SELECT (SELECT max(id) FROM a) AS m")]
    [InlineData("WITH a AS (SELECT id FROM test.governed.people_v1) SELECT * FROM a WHERE id IN (SELECT id FROM a)")]
    [InlineData("WITH A AS (SELECT id FROM test.governed.people_v1) SELECT * FROM a")]
    [InlineData("WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 3) SELECT p.id FROM test.governed.people_v1 p JOIN r ON p.id = r.n")]
    [InlineData("WITH a AS (SELECT id FROM test.governed.people_v1) SELECT id FROM a UNION ALL SELECT id FROM a")]
    [InlineData("SELECT p.id, g.i FROM test.governed.people_v1 p, generate_series(0, 2) AS g(i)")]
    [InlineData("SELECT id, unnest(ARRAY[1, 2]) AS u FROM test.governed.people_v1")]
    public async Task InspectQuery_NamesInScope_AreAccepted(string sql)
    {
        await using var consumer = await ServeAsync(await PublishPeopleAsync(), [new GovernedColumn("id")]);

        var inspection = await consumer.InspectQueryAsync(sql, new ConsumerLimits());

        Assert.Equal([PeopleAddress], inspection.Datasets);
        Assert.NotEmpty(await RowsAsync(consumer, inspection.Sql));
    }

    [Theory]
    // A WITH name is visible only in its own query and below, never beside it.
    [InlineData("SELECT * FROM (WITH x AS (SELECT 1 AS v) SELECT * FROM x) AS a, x", "x")]
    [InlineData("SELECT * FROM (WITH x AS (SELECT 1 AS v) SELECT * FROM x) AS a WHERE EXISTS (SELECT * FROM x)", "x")]
    [InlineData("SELECT (SELECT v FROM (WITH x AS (SELECT 1 AS v) SELECT v FROM x) AS i), (SELECT v FROM x)", "x")]
    [InlineData("WITH a AS (SELECT 1 AS v) SELECT * FROM a UNION ALL SELECT * FROM (WITH b AS (SELECT 2 AS v) SELECT * FROM b) AS s UNION ALL SELECT * FROM b", "b")]
    // A CTE does not see itself (unless recursive) nor the ones declared after it.
    [InlineData("WITH x AS (SELECT * FROM x) SELECT * FROM x", "x")]
    [InlineData("WITH a AS (SELECT * FROM b), b AS (SELECT 1 AS v) SELECT * FROM a", "b")]
    // Anything else that is not an address.
    [InlineData("SELECT * FROM people_v1", "people_v1")]
    [InlineData("SELECT * FROM governed.people_v1", "governed.people_v1")]
    [InlineData("SELECT * FROM information_schema.tables", "information_schema.tables")]
    [InlineData("DESCRIBE people", "people")]
    public async Task InspectQuery_NameOutOfScope_IsRefusedNamingIt(string sql, string name)
    {
        await using var consumer = await ServeAsync(await PublishPeopleAsync(), [new GovernedColumn("id")]);

        var refused = await Assert.ThrowsAsync<QueryRefusedException>(() => consumer.InspectQueryAsync(sql, new ConsumerLimits()));

        Assert.Contains($"'{name}'", refused.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("parquet")]
    [InlineData("csv")]
    [InlineData("tsv")]
    [InlineData("json")]
    [InlineData("ndjson")]
    [InlineData("jsonl")]
    [InlineData("csv.gz")]
    [InlineData("parquet.gz")]
    public async Task InspectQuery_FileOfEveryTypeDuckDbReads_IsRefusedHoweverNamed(string extension)
    {
        var people = await PublishPeopleAsync();
        var file = Path.Combine(people, "part-0." + extension);
        var glob = Path.Combine(people, "*." + extension);
        await using var consumer = await ServeAsync(people, [new GovernedColumn("id")]);

        // Quoted either way, a glob, a relative path, beside a dataset, behind a WITH of the same name declared in
        // another scope, or as its own body: each could be a replacement scan of the file.
        foreach (var sql in new[]
        {
            $"SELECT * FROM '{file}'",
            $"SELECT * FROM \"{file}\"",
            $"SELECT * FROM '{glob}'",
            $"FROM '{glob}'",
            $"SELECT * FROM 'snapshots/people.{extension}'",
            $"SELECT p.id FROM {PeopleAddress} p, '{file}' f",
            $"SELECT (SELECT count(*) FROM '{file}') AS n, id FROM {PeopleAddress}",
            $"SELECT * FROM (WITH \"{file}\" AS (SELECT 1 AS v) SELECT * FROM \"{file}\") AS a, \"{file}\" AS b",
            $"WITH \"{file}\" AS (SELECT * FROM \"{file}\") SELECT * FROM \"{file}\"",
            $"WITH RECURSIVE \"{file}\" AS (SELECT * FROM \"{file}\") SELECT * FROM \"{file}\"",
            $"SUMMARIZE '{file}'",
            $"DESCRIBE '{file}'",
        })
        {
            await Assert.ThrowsAsync<QueryRefusedException>(() => consumer.InspectQueryAsync(sql, new ConsumerLimits()));
        }
    }

    [Theory]
    [InlineData("SELECT sum(hash(i)) FROM range(1000000000000) t(i)")]
    [InlineData("SELECT count(*) FROM generate_series(1, 20000001)")]
    [InlineData("SELECT count(*) FROM range(-5, 20000000)")]
    [InlineData("SELECT count(*) FROM range(0, 10, 0)")]
    [InlineData("SELECT len(range(100000000)) AS n")]
    [InlineData("SELECT count(*) FROM test.governed.people_v1 p, range(p.id * 100000000) t(i)")]
    [InlineData("SELECT count(*) FROM range(1e12)")]
    public async Task InspectQuery_GeneratorOverTheLimit_IsRefused(string sql)
    {
        await using var consumer = await ServeAsync(await PublishPeopleAsync(), [new GovernedColumn("id")]);

        await Assert.ThrowsAsync<QueryRefusedException>(() => consumer.InspectQueryAsync(sql, new ConsumerLimits { MaxGeneratedRows = 10_000_000 }));
    }

    [Fact]
    public async Task InspectQuery_GeneratorWithinTheLimit_Runs()
    {
        await using var consumer = await ServeAsync(await PublishPeopleAsync(), [new GovernedColumn("id")]);

        var inspection = await consumer.InspectQueryAsync($"SELECT count(*) FROM {PeopleAddress}, generate_series(1, 10) t(i)", new ConsumerLimits { MaxGeneratedRows = 10 });

        Assert.Equal(40L, ToLong((await RowsAsync(consumer, inspection.Sql))[0][0]));
    }

    [Fact]
    public async Task ReadArrow_Cancelled_InterruptsTheEngineMidQuery()
    {
        await using var consumer = await ServeAsync(await PublishPeopleAsync(), [new GovernedColumn("id")]);
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
        // Hours of work if nothing stops it: the call returns only because the engine was interrupted.
        var read = Task.Run(async () =>
        {
            using var stream = await consumer.ReadArrowAsync(EndlessQuery, cancel.Token);
            return await stream.ReadNextRecordBatchAsync(cancel.Token);
        }, TestContext.Current.CancellationToken);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => read.WaitAsync(TimeSpan.FromMinutes(2), TestContext.Current.CancellationToken));

        // The session is usable again: nothing of the interrupted query is left running on it.
        Assert.Equal(4, (await RowsAsync(consumer, $"SELECT id FROM {PeopleAddress}")).Count);
    }

    /// <summary>
    /// Four people: 1 with every value, 2 with nothing but its id, 3 with short values, 4 in France.
    /// Published as a snapshot under <see cref="EngineConformanceTests.Folder"/>; returns the snapshot folder.
    /// </summary>
    private const string TypedAddress = "test.governed.typed_v1";

    /// <summary>A snapshot with a column of each kind: integers, a decimal, a date, a timestamp, a boolean, text.</summary>
    private async Task<string> PublishTypedAsync()
    {
        // Typed outside the VALUES: an engine may widen a VALUES column with a NULL in it (PostgreSQL's numeric loses its scale).
        await Engine.TransformAsync("""
            SELECT id, CAST(amount AS BIGINT) AS amount, CAST(price AS DECIMAL(10,2)) AS price, CAST(born AS DATE) AS born, CAST(seen AS TIMESTAMP) AS seen,
                CAST(flag AS BOOLEAN) AS flag, CAST(label AS VARCHAR) AS label, CAST(twin AS BIGINT) AS twin
            FROM (VALUES
                (1, CAST(1234567 AS BIGINT), CAST(-123.45 AS DECIMAL(10,2)), DATE '1990-05-06', TIMESTAMP '2024-07-08 09:10:11', TRUE, 'Ab1', CAST(1234567 AS BIGINT)),
                (2, NULL, NULL, NULL, NULL, NULL, NULL, NULL)
            ) AS t(id, amount, price, born, seen, flag, label, twin)
            """, "typed");
        return await PublishedAsync("typed", Path.Combine(Folder, "snapshots", "typed-" + Guid.NewGuid().ToString("N")[..6]));
    }

    /// <summary>The given columns of the typed snapshot, each under <paramref name="mask"/>, by id.</summary>
    private async Task<List<object?[]>> TypedMaskedAsync(ColumnMask mask, params string[] columns)
    {
        var typed = await PublishTypedAsync();
        await using var consumer = await ServeAsync(typed, [new GovernedColumn("id"), .. columns.Select(c => new GovernedColumn(c, mask))], address: TypedAddress);
        return await RowsAsync(consumer, $"SELECT {string.Join(", ", columns)} FROM {TypedAddress} ORDER BY id");
    }

    /// <summary>A fresh consumer session serving a published dataset (the people by default) as <paramref name="address"/>.</summary>
    protected async Task<IQueryEngine> ServeAsync(string snapshot, IReadOnlyList<GovernedColumn> columns, FilterExpr? filter = null, ConsumerLimits? limits = null,
        string address = PeopleAddress)
    {
        var consumer = await OpenQueryEngineAsync();
        try
        {
            await consumer.ServeAsync([new GovernedView(address, snapshot, columns, filter)], limits ?? new ConsumerLimits(), MaskKey);
            return consumer;
        }
        catch
        {
            await consumer.DisposeAsync();
            throw;
        }
    }

    /// <summary>The values of one masked column, by id (1 to 4).</summary>
    private async Task<List<object?>> MaskedAsync(string column, ColumnMask mask)
    {
        var people = await PublishPeopleAsync();
        await using var consumer = await ServeAsync(people, [new GovernedColumn("id"), new GovernedColumn(column, mask)]);
        return [.. (await RowsAsync(consumer, $"SELECT {column} FROM {PeopleAddress} ORDER BY id")).Select(r => r[0])];
    }

    /// <summary>The ids a consumer sees through the filter.</summary>
    private async Task<List<long>> VisibleAsync(FilterExpr filter)
    {
        var people = await PublishPeopleAsync();
        await using var consumer = await ServeAsync(people, [new GovernedColumn("id"), new GovernedColumn("email"), new GovernedColumn("country")], filter);
        return [.. (await RowsAsync(consumer, $"SELECT id FROM {PeopleAddress} ORDER BY id")).Select(r => ToLong(r[0]))];
    }

    private static string Hmac(string value) => Convert.ToHexStringLower(HMACSHA256.HashData(MaskKey, Encoding.UTF8.GetBytes(value)));

    /// <summary>A relation's columns as a consumer gets them: names and Arrow types (with a decimal's precision and scale, a timestamp's zone).</summary>
    private static async Task<List<(string Name, string Type)>> ColumnsAsync(IQueryEngine consumer, string address)
    {
        using var stream = await consumer.ReadArrowAsync($"SELECT * FROM {address}");
        return [.. stream.Schema.FieldsList.Select(f => (f.Name, f.DataType switch
        {
            Decimal128Type d => $"decimal({d.Precision},{d.Scale})",
            TimestampType t => $"timestamp({t.Unit}, {t.Timezone})",
            var other => other.TypeId.ToString(),
        }))];
    }

    /// <summary>The rows of a consumer's query, each value as .NET has it (integers as long, dates as DateOnly), read as Arrow.</summary>
    protected static async Task<List<object?[]>> RowsAsync(IQueryEngine consumer, string sql)
    {
        ArgumentNullException.ThrowIfNull(consumer);
        var rows = new List<object?[]>();
        using var stream = await consumer.ReadArrowAsync(sql);
        while (await stream.ReadNextRecordBatchAsync() is { } batch)
        {
            using (batch)
            {
                for (var r = 0; r < batch.Length; r++)
                {
                    rows.Add([.. batch.Arrays.Select(a => Value(a, r))]);
                }
            }
        }

        return rows;
    }

    private static object? Value(IArrowArray array, int row) => array.IsNull(row) ? null : array switch
    {
        Int16Array a => (long)a.GetValue(row)!.Value,
        Int32Array a => (long)a.GetValue(row)!.Value,
        Int64Array a => a.GetValue(row),
        UInt64Array a => (long)a.GetValue(row)!.Value,
        DoubleArray a => a.GetValue(row),
        FloatArray a => (double)a.GetValue(row)!.Value,
        Decimal128Array a => a.GetValue(row),
        BooleanArray a => a.GetValue(row),
        StringArray a => a.GetString(row),
        StringViewArray a => a.GetString(row),
        Date32Array a => a.GetDateOnly(row),
        TimestampArray a => a.GetTimestamp(row)!.Value.DateTime,
        _ => throw new NotSupportedException($"No test reading of {array.Data.DataType.Name} values."),
    };

    /// <summary>Runs a query to its end in a consumer session and asserts that the engine refuses it.</summary>
    protected static async Task QueryFailsAsync(IQueryEngine consumer, string sql)
    {
        var error = await Record.ExceptionAsync(() => RowsAsync(consumer, sql));

        Assert.True(error is EngineException or DbException, $"'{sql}' should have failed, but {(error is null ? "it ran" : "threw " + error.GetType().Name + ": " + error.Message)}.");
    }


    #endregion
}
