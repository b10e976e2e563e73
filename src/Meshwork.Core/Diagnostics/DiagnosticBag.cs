using System.Collections.Concurrent;

namespace Meshwork.Diagnostics;

/// <summary>Collects diagnostics from many files and checks; safe to use from parallel loaders.</summary>
public sealed class DiagnosticBag
{
    private readonly ConcurrentQueue<Diagnostic> _items = new();

    public void Add(Diagnostic diagnostic) => _items.Enqueue(diagnostic);

    public void Report(DiagnosticRule rule, SourceLocation location, string message, string? hint = null, Severity? severity = null) =>
        _items.Enqueue(new Diagnostic(location, severity ?? rule.Severity, rule.Id, message, hint ?? rule.Hint));

    public bool HasErrors => _items.Any(d => d.Severity == Severity.Error);

    /// <summary>The diagnostics in a stable order: by file, line, column, then rule.</summary>
    public IReadOnlyList<Diagnostic> ToSortedList() =>
        [.. _items
            .Distinct()
            .OrderBy(d => d.File, StringComparer.Ordinal)
            .ThenBy(d => d.Line)
            .ThenBy(d => d.Column)
            .ThenBy(d => d.Rule, StringComparer.Ordinal)
            .ThenBy(d => d.Message, StringComparer.Ordinal)];
}
