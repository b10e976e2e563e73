using System.Text;
using System.Text.Json;
using Meshwork.Diagnostics;
using Meshwork.Documents;

namespace Meshwork.Tests.Documents;

public sealed class YamlDocumentReaderTests
{
    private static (SourceDocument? Document, IReadOnlyList<Diagnostic> Diagnostics) Parse(string yaml)
    {
        var bag = new DiagnosticBag();
        var document = YamlDocumentReader.Parse(yaml, "test.yaml", "/tmp/test.yaml", bag);
        return (document, bag.ToSortedList());
    }

    [Fact]
    public void Parse_PlainScalars_AreTypedByYaml12CoreSchema()
    {
        var (document, diagnostics) = Parse("""
            s: hello
            quoted_true: "true"
            t: true
            f: False
            n: null
            tilde: ~
            empty:
            i: 42
            neg: -7
            hex: 0x1F
            oct: 0o17
            big: 123456789012345678901234567890
            x: 3.25
            e: 1e3
            date: 2024-01-01
            version: 1.0.0
            on: on
            """);

        Assert.Empty(diagnostics);
        var root = document!.Root;
        Assert.Equal(JsonValueKind.String, root.GetProperty("s").ValueKind);
        Assert.Equal(JsonValueKind.String, root.GetProperty("quoted_true").ValueKind);
        Assert.Equal(JsonValueKind.True, root.GetProperty("t").ValueKind);
        Assert.Equal(JsonValueKind.False, root.GetProperty("f").ValueKind);
        Assert.Equal(JsonValueKind.Null, root.GetProperty("n").ValueKind);
        Assert.Equal(JsonValueKind.Null, root.GetProperty("tilde").ValueKind);
        Assert.Equal(JsonValueKind.Null, root.GetProperty("empty").ValueKind);
        Assert.Equal(42, root.GetProperty("i").GetInt32());
        Assert.Equal(-7, root.GetProperty("neg").GetInt32());
        Assert.Equal(31, root.GetProperty("hex").GetInt32());
        Assert.Equal(15, root.GetProperty("oct").GetInt32());
        Assert.Equal("123456789012345678901234567890", root.GetProperty("big").GetRawText());
        Assert.Equal(3.25, root.GetProperty("x").GetDouble());
        Assert.Equal(1000, root.GetProperty("e").GetDouble());
        Assert.Equal("2024-01-01", root.GetProperty("date").GetString());
        Assert.Equal("1.0.0", root.GetProperty("version").GetString());
        Assert.Equal("on", root.GetProperty("on").GetString()); // YAML 1.1 booleans are strings in 1.2
    }

    [Fact]
    public void Parse_RecordsKeyPositionsByJsonPointer()
    {
        var (document, _) = Parse("""
            a: 1
            list:
              - name: first
              - name: second
                nested:
                  deep: x
            """);

        Assert.Equal(new SourceLocation("test.yaml", 1, 1), document!.Locate("/a"));
        Assert.Equal(new SourceLocation("test.yaml", 4, 5), document.Locate("/list/1/name"));
        Assert.Equal(new SourceLocation("test.yaml", 6, 7), document.Locate("/list/1/nested/deep"));
        // A missing node is reported at its nearest existing ancestor.
        Assert.Equal(new SourceLocation("test.yaml", 5, 5), document.Locate("/list/1/nested/missing"));
    }

    [Fact]
    public void Parse_DuplicateKey_ReportsSecondKeyAndKeepsFirstValue()
    {
        var (document, diagnostics) = Parse("a: 1\nb: 2\na: 3\n");

        var diagnostic = Assert.Single(diagnostics);
        Assert.Equal(Rules.YamlDuplicateKey.Id, diagnostic.Rule);
        Assert.Equal(3, diagnostic.Line);
        Assert.Equal(1, document!.Root.GetProperty("a").GetInt32());
    }

    [Fact]
    public void Parse_MalformedYaml_ReportsSyntaxErrorWithPosition()
    {
        var (document, diagnostics) = Parse("a: 1\nb: [unclosed\nc: 2\n");

        Assert.Null(document);
        var diagnostic = Assert.Single(diagnostics);
        Assert.Equal(Rules.YamlSyntax.Id, diagnostic.Rule);
        Assert.True(diagnostic.Line >= 2, diagnostic.ToString());
        Assert.DoesNotContain("Idx:", diagnostic.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_DeepNesting_IsRefusedWithoutExhaustingTheStack()
    {
        const int depth = 20_000;
        var yaml = new string('[', depth) + new string(']', depth);

        var (document, diagnostics) = Parse(yaml);

        Assert.Null(document);
        Assert.Contains(diagnostics, d => d.Rule == Rules.YamlTooDeep.Id || d.Rule == Rules.YamlSyntax.Id);
    }

    [Fact]
    public void Parse_NestingWithinLimit_IsAccepted()
    {
        var depth = YamlDocumentReader.MaxDepth - 1;
        var (document, diagnostics) = Parse(new string('[', depth) + "1" + new string(']', depth));

        Assert.Empty(diagnostics);
        Assert.NotNull(document);
    }

    [Fact]
    public void Parse_NestingAtTheLimit_IsAccepted()
    {
        var depth = YamlDocumentReader.MaxDepth;

        var (flow, flowDiagnostics) = Parse(new string('[', depth) + "1" + new string(']', depth));
        var (block, blockDiagnostics) = Parse(BlockMappings(depth));

        Assert.Empty(flowDiagnostics);
        Assert.NotNull(flow);
        Assert.Empty(blockDiagnostics);
        Assert.NotNull(block);
    }

    [Fact]
    public void Parse_NestingOnePastTheLimit_IsRefusedAsTooDeepWithTheLine()
    {
        var depth = YamlDocumentReader.MaxDepth + 1;

        var (flow, flowDiagnostics) = Parse(new string('[', depth) + "1" + new string(']', depth));
        var (block, blockDiagnostics) = Parse(BlockMappings(depth));

        Assert.Null(flow);
        Assert.Equal(Rules.YamlTooDeep.Id, Assert.Single(flowDiagnostics).Rule);
        Assert.Null(block);
        var tooDeep = Assert.Single(blockDiagnostics);
        Assert.Equal(Rules.YamlTooDeep.Id, tooDeep.Rule);
        Assert.Equal(depth, tooDeep.Line);
    }

    [Fact]
    public void Parse_AliasBomb_IsRefused()
    {
        var yaml = new StringBuilder("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for (var i = 1; i < 9; i++)
        {
            yaml.Append(CultureInvariant($"a{i}: &a{i} [*a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}]\n"));
        }

        var (document, diagnostics) = Parse(yaml.ToString());

        Assert.Null(document);
        Assert.Contains(diagnostics, d => d.Rule == Rules.YamlTooLarge.Id);
    }

    [Fact]
    public void Parse_RecursiveAlias_IsRefused()
    {
        var (document, diagnostics) = Parse("a: &a\n  b: *a\n");

        Assert.Null(document);
        Assert.Contains(diagnostics, d => d.Rule == Rules.YamlTooDeep.Id || d.Rule == Rules.YamlSyntax.Id);
    }

    [Fact]
    public void Parse_MergeKey_MergesAndLetsExplicitKeysWin()
    {
        var (document, diagnostics) = Parse("""
            base: &base
              a: 1
              b: 2
            derived:
              <<: *base
              b: 3
            """);

        Assert.Empty(diagnostics);
        var derived = document!.Root.GetProperty("derived");
        Assert.Equal(1, derived.GetProperty("a").GetInt32());
        Assert.Equal(3, derived.GetProperty("b").GetInt32());
    }

    [Fact]
    public void Parse_ComplexKey_IsReportedNotThrown()
    {
        var (document, diagnostics) = Parse("? [a, b]\n: value\n");

        Assert.Null(document);
        Assert.Contains(diagnostics, d => d.Rule == Rules.YamlUnsupported.Id);
    }

    [Fact]
    public void Parse_SecondDocument_IsReportedAndIgnored()
    {
        var (document, diagnostics) = Parse("a: 1\n---\nb: 2\n");

        Assert.Contains(diagnostics, d => d.Rule == Rules.YamlUnsupported.Id && d.Line == 2);
        Assert.False(document!.Root.TryGetProperty("b", out _));
    }

    [Theory]
    [InlineData("")]
    [InlineData("# only a comment\n")]
    public void Parse_EmptyFile_ReportsEmptyDocument(string yaml)
    {
        var (document, diagnostics) = Parse(yaml);

        Assert.Null(document);
        Assert.Equal(Rules.EmptyDocument.Id, Assert.Single(diagnostics).Rule);
    }

    [Fact]
    public void ReadFile_Directory_ReportsUnreadable()
    {
        using var temp = new TempFolder();
        Directory.CreateDirectory(Path.Combine(temp.Path, "x.odcs.yaml"));
        var bag = new DiagnosticBag();

        var document = YamlDocumentReader.ReadFile(Path.Combine(temp.Path, "x.odcs.yaml"), "x.odcs.yaml", bag);

        Assert.Null(document);
        var diagnostic = Assert.Single(bag.ToSortedList());
        Assert.Equal(Rules.FileUnreadable.Id, diagnostic.Rule);
        Assert.Contains("folder", diagnostic.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ReadFile_BinaryJunk_ReportsNotText()
    {
        using var temp = new TempFolder();
        var bytes = new byte[4096];
        new Random(42).NextBytes(bytes);
        var path = Path.Combine(temp.Path, "junk.odcs.yaml");
        File.WriteAllBytes(path, bytes);
        var bag = new DiagnosticBag();

        Assert.Null(YamlDocumentReader.ReadFile(path, "junk.odcs.yaml", bag));
        Assert.Equal(Rules.FileNotText.Id, Assert.Single(bag.ToSortedList()).Rule);
    }

    [Fact]
    public void ReadFile_InvalidUtf8WithoutNul_ReportsNotText()
    {
        using var temp = new TempFolder();
        var path = Path.Combine(temp.Path, "latin1.yaml");
        File.WriteAllBytes(path, [(byte)'a', (byte)':', (byte)' ', 0xE9, 0xE8, (byte)'\n']);
        var bag = new DiagnosticBag();

        Assert.Null(YamlDocumentReader.ReadFile(path, "latin1.yaml", bag));
        Assert.Equal(Rules.FileNotText.Id, Assert.Single(bag.ToSortedList()).Rule);
    }

    [Fact]
    public void ReadFile_FiftyMegabytes_ReportsTooLargeWithoutReadingIt()
    {
        using var temp = new TempFolder();
        var path = Path.Combine(temp.Path, "huge.odcs.yaml");
        using (var stream = File.Create(path))
        {
            stream.SetLength(50L * 1024 * 1024);
        }

        var bag = new DiagnosticBag();

        Assert.Null(YamlDocumentReader.ReadFile(path, "huge.odcs.yaml", bag));
        var diagnostic = Assert.Single(bag.ToSortedList());
        Assert.Equal(Rules.FileTooLarge.Id, diagnostic.Rule);
        Assert.Contains("50 MiB", diagnostic.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ReadFile_Utf8Bom_IsAccepted()
    {
        using var temp = new TempFolder();
        var path = Path.Combine(temp.Path, "bom.yaml");
        File.WriteAllBytes(path, [0xEF, 0xBB, 0xBF, .. "a: 1\n"u8.ToArray()]);
        var bag = new DiagnosticBag();

        var document = YamlDocumentReader.ReadFile(path, "bom.yaml", bag);

        Assert.Empty(bag.ToSortedList());
        Assert.Equal(1, document!.Root.GetProperty("a").GetInt32());
    }

    private static string CultureInvariant(FormattableString s) => FormattableString.Invariant(s);

    /// <summary><paramref name="depth"/> mappings, each the value of the one before, one key per line.</summary>
    private static string BlockMappings(int depth)
    {
        var yaml = new StringBuilder();
        for (var i = 0; i < depth - 1; i++)
        {
            yaml.Append(' ', i * 2).Append('k').Append(i).Append(":\n");
        }

        return yaml.Append(' ', (depth - 1) * 2).Append("leaf: 1\n").ToString();
    }
}
