namespace Meshwork.Engines.DuckDb.Tests;

/// <summary>
/// <see cref="EngineMessages.Redact"/> over the messages the real DuckDB gives: CSV parse and conversion errors
/// (which repeat the raw line) and SQL conversion errors (which quote the value).
/// </summary>
public sealed class EngineMessagesTests : IDisposable
{
    private const string Email = "secret.person@mail.example";
    private const string Phone = "+49 171 5550101";

    // DuckDB sniffs the first 20,480 rows: a malformed line past them fails the read instead of changing the dialect.
    private const int Sniffed = 20_480;

    private readonly string _folder = Directory.CreateTempSubdirectory("meshwork-messages-").FullName;

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Theory]
    [InlineData("1,\"a@x.de\",+49 30 1\n9,secret.person@mail.example,+49 171 5550101,extra\n", "Expected Number of Columns: 3 Found: 4")]
    [InlineData("1,\"a@x.de\",+49 30 1\n9,secret.person@mail.example\n", "Expected Number of Columns: 3 Found: 2")]
    [InlineData("1,\"a@x.de\",+49 30 1\n9,\"secret.person@mail.example,+49 171 5550101\n10,b@x.de,+49 30 2\n", "Value with unterminated quote found")]
    [InlineData("1,\"a@x.de\",+49 30 1\n9,secret\"person@mail.example,\"+49 171 5550101\"x\n", "Value with unterminated quote found")]
    public async Task Redact_CsvParseError_KeepsFileLineAndReasonButNoValue(string malformed, string reason)
    {
        var file = CsvWithLineAfterTheSample(malformed);

        var message = await FailingMessageAsync(engine => LoadAndReadAsync(engine, file));

        Assert.Contains("secret", message, StringComparison.Ordinal); // the real message repeats the row
        var redacted = EngineMessages.Redact(message);
        AssertNoValue(redacted);
        Assert.Contains($"CSV Error on Line: {Sniffed + 3}", redacted, StringComparison.Ordinal);
        Assert.Contains($"in {file}", redacted, StringComparison.Ordinal);
        Assert.Contains(reason, redacted, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', redacted);
    }

    [Fact]
    public async Task Redact_CsvConversionError_KeepsTheColumnAndTypeButNoValue()
    {
        var file = Path.Combine(_folder, "typed.csv");
        await File.WriteAllTextAsync(file, $"id,email,phone\n1,a@x.de,4930\n2,{Email},{Phone}\n", Cancel);

        var message = await FailingMessageAsync(engine =>
            engine.TransformAsync($"SELECT * FROM read_csv('{file}', header = true, types = {{'phone': 'BIGINT'}})", "typed", Cancel));

        Assert.Contains(Phone, message, StringComparison.Ordinal);
        var redacted = EngineMessages.Redact(message);
        AssertNoValue(redacted);
        Assert.Contains("CSV Error on Line: 3", redacted, StringComparison.Ordinal);
        Assert.Contains("column \"phone\" to BIGINT", redacted, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("CAST(email AS INTEGER)", "to INT32 when casting from source column email")]
    [InlineData("CAST(phone AS DATE)", "expected format is (YYYY-MM-DD) when casting from source column phone")]
    [InlineData("CAST(email AS TIMESTAMP)", "when casting from source column email")]
    [InlineData("CAST(email AS DECIMAL(10,2))", "to DECIMAL(10,2) when casting from source column email")]
    [InlineData("CAST(email AS BOOLEAN)", "to BOOL when casting from source column email")]
    [InlineData("CAST(note AS INTEGER)", "to INT32 when casting from source column note")]
    [InlineData("CAST(number AS TINYINT)", "can't be cast because the value is out of range for the destination type INT8")]
    [InlineData("strptime(email, '%Y')", "according to format specifier")]
    [InlineData("json_extract('{\"a\": ' || email || '}', '$.a')", "Malformed JSON")]
    public async Task Redact_SqlConversionError_KeepsTheColumnAndWhyButNoValue(string expression, string why)
    {
        var file = Path.Combine(_folder, "people.csv");
        await File.WriteAllTextAsync(file, $"email,phone,note,number\n{Email},{Phone},it's O'Brien's 5550101,171555010\n", Cancel);

        var message = await FailingMessageAsync(async engine =>
        {
            await engine.LoadAsync(new SourceFile(file, SourceFormat.Csv), "people", Cancel);
            await engine.TransformAsync($"SELECT {expression} AS x FROM (SELECT email, phone, note, CAST(number AS INTEGER) AS number FROM people)", "out", Cancel);
        });

        var redacted = EngineMessages.Redact(message);
        AssertNoValue(redacted);
        Assert.DoesNotContain("Brien", redacted, StringComparison.Ordinal);
        Assert.DoesNotContain("171555010", redacted, StringComparison.Ordinal);
        Assert.Contains(why, redacted, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Redact_UnknownColumn_KeepsItsName()
    {
        var message = await FailingMessageAsync(engine => engine.TransformAsync("SELECT no_such_column FROM (VALUES (1)) t(x)", "out", Cancel));

        Assert.Contains("Referenced column \"no_such_column\" not found", EngineMessages.Redact(message), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Conversion Error: Could not convert string 'it's a 'secret'' to INT32")]
    [InlineData("Invalid Input Error: value 'secret.person@mail.example")]
    [InlineData("Binder Error: \"secret.person@mail.example")]
    [InlineData("Error: CSV Error on Line: 3\nOriginal Line: secret.person@mail.example\n  file = x.csv\nsecret.person@mail.example")]
    public void Redact_UnpairedOrOddQuotes_HidesTheRestOfTheLine(string message)
    {
        var redacted = EngineMessages.Redact(message);

        Assert.DoesNotContain("secret", redacted, StringComparison.Ordinal);
        Assert.Equal(redacted, EngineMessages.Redact(redacted));
    }

    [Fact]
    public async Task Redact_Twice_ChangesNothing()
    {
        var file = CsvWithLineAfterTheSample($"9,{Email},{Phone},extra\n");
        var message = await FailingMessageAsync(engine => LoadAndReadAsync(engine, file));

        var once = EngineMessages.Redact(message);

        Assert.Equal(once, EngineMessages.Redact(once));
    }

    private static void AssertNoValue(string redacted)
    {
        Assert.DoesNotContain("secret", redacted, StringComparison.Ordinal);
        Assert.DoesNotContain("5550101", redacted, StringComparison.Ordinal);
        Assert.DoesNotContain("mail.example", redacted, StringComparison.Ordinal);
    }

    private string CsvWithLineAfterTheSample(string lines)
    {
        var file = Path.Combine(_folder, Guid.NewGuid().ToString("N") + ".csv");
        var good = string.Concat(Enumerable.Range(0, Sniffed).Select(i => $"{i + 100},\"p{i}@x.de\",+49 30 {i}\n"));
        File.WriteAllText(file, "id,email,phone\n" + good + lines);
        return file;
    }

    private static async Task LoadAndReadAsync(IEngine engine, string file)
    {
        await engine.LoadAsync(new SourceFile(file, SourceFormat.Csv), "people", Cancel);
        await engine.TransformAsync("SELECT * FROM people", "out", Cancel);
    }

    private static async Task<string> FailingMessageAsync(Func<IEngine, Task> act)
    {
        await using var engine = await DuckDbEngine.OpenAsync(cancellationToken: Cancel);
        return (await Assert.ThrowsAsync<EngineException>(() => act(engine))).Message;
    }
}
