using System.Text;
using System.Text.Json;

namespace Meshwork.Documents;

/// <summary>Writes one indented JSON document to a text output (the <c>--format json</c> of every verb).</summary>
public static class JsonOutput
{
    private static readonly JsonWriterOptions Indented = new() { Indented = true };

    public static void Write(TextWriter output, Action<Utf8JsonWriter> write)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(write);
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream, Indented))
        {
            write(json);
        }

        output.WriteLine(Encoding.UTF8.GetString(stream.ToArray()));
    }
}
