using System.Text;
using Meshwork.Linting;

namespace Meshwork.Tests.Linting;

/// <summary>
/// Random damage to real files (byte flips, truncation, deleted or duplicated lines, stray brackets) must
/// always end in a report, never an exception. Seeds are fixed so a failure reproduces.
/// </summary>
public sealed class LintFuzzTests
{
    private static readonly string Base = Path.Combine(TestPaths.Fixtures, "meshes", "base");

    [Fact]
    public void Lint_DamagedContractFiles_AlwaysReport()
    {
        var original = File.ReadAllText(Path.Combine(TestPaths.Standards, "odcs/docs/examples/all/full-example.odcs.yaml"));
        using var temp = new TempFolder();
        var path = Path.Combine(temp.Path, "fuzz.odcs.yaml");
        var random = new Random(20261125);

        for (var i = 0; i < 300; i++)
        {
            File.WriteAllText(path, Damage(original, random));

            var report = MeshLinter.Lint(path);

            Assert.NotNull(report);
        }
    }

    [Fact]
    public void Lint_DamagedMeshFiles_AlwaysReport()
    {
        var files = Directory.EnumerateFiles(Base, "*.yaml", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToList();
        var random = new Random(42);

        for (var i = 0; i < 60; i++)
        {
            using var temp = new TempFolder();
            temp.CopyFrom(Base);
            var victim = files[random.Next(files.Count)];
            var target = Path.Combine(temp.Path, Path.GetRelativePath(Base, victim));
            File.WriteAllText(target, Damage(File.ReadAllText(victim), random));

            var report = MeshLinter.Lint(temp.Path);

            Assert.NotNull(report);
        }
    }

    private static string Damage(string text, Random random)
    {
        var lines = text.Split('\n').ToList();
        switch (random.Next(6))
        {
            case 0:
                return text[..random.Next(text.Length)];
            case 1:
                lines.RemoveAt(random.Next(lines.Count));
                return string.Join('\n', lines);
            case 2:
                var line = random.Next(lines.Count);
                lines.Insert(line, lines[line]);
                return string.Join('\n', lines);
            case 3:
                var chars = text.ToCharArray();
                for (var k = 0; k < 5; k++)
                {
                    chars[random.Next(chars.Length)] = "[]{}:-&*!|>'\"#%@`\t "[random.Next(19)];
                }

                return new string(chars);
            case 4:
                var indent = random.Next(lines.Count);
                lines[indent] = new string(' ', random.Next(1, 6)) + lines[indent];
                return string.Join('\n', lines);
            default:
                var bytes = Encoding.UTF8.GetBytes(text);
                bytes[random.Next(bytes.Length)] = (byte)random.Next(256);
                return Encoding.Latin1.GetString(bytes);
        }
    }
}
