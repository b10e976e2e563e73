using System.Collections.Immutable;
using Meshwork.Diagnostics;

namespace Meshwork.Model;

/// <summary>domains/&lt;name&gt;/domain.yaml: a business domain and its owning team.</summary>
public sealed record Domain(
    string Name,
    string? Title,
    string? Description,
    string Owner,
    string? Engine,
    ImmutableArray<string> Tags,
    string Folder,
    SourceLocation Location);
