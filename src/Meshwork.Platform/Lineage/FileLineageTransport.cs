using System.Text;

namespace Meshwork.Platform.Lineage;

/// <summary>
/// Appends each event as one line of JSON to a file (the OpenLineage file transport's format): for audits, for tools
/// that tail a file, and for tests. Lines are written whole, one writer at a time in this process.
/// </summary>
public sealed class FileLineageTransport(string path) : ILineageTransport
{
    private readonly Lock _gate = new();

    /// <summary>The file events are appended to (absolute).</summary>
    public string FilePath { get; } = Path.GetFullPath(path);

    public Task SendAsync(string runEvent, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(runEvent);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            if (Path.GetDirectoryName(FilePath) is { Length: > 0 } folder)
            {
                Directory.CreateDirectory(folder);
            }

            // A line holds exactly one event: the serializer writes no raw newline, and one is added here.
            File.AppendAllText(FilePath, runEvent + "\n", Encoding.UTF8);
        }

        return Task.CompletedTask;
    }
}
