using System.Globalization;

namespace Meshwork.Platform.Store;

/// <summary>A store's versioned migrations: the <c>NNN_name.sql</c> files embedded under one resource prefix, in version order.</summary>
internal static class EmbeddedMigrations
{
    public static IReadOnlyList<(int Version, string Name, string Sql)> Load(string prefix)
    {
        var assembly = typeof(EmbeddedMigrations).Assembly;
        return [.. assembly.GetManifestResourceNames()
            .Where(n => n.StartsWith(prefix, StringComparison.Ordinal) && n.EndsWith(".sql", StringComparison.Ordinal))
            .Select(n =>
            {
                var file = n[prefix.Length..^4];
                using var stream = assembly.GetManifestResourceStream(n)!;
                using var reader = new StreamReader(stream);
                return (int.Parse(file[..file.IndexOf('_', StringComparison.Ordinal)], CultureInfo.InvariantCulture), file, reader.ReadToEnd());
            })
            .OrderBy(m => m.Item1)];
    }
}
