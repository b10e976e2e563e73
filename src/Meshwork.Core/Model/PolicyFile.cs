using System.Text.Json;
using Meshwork.Diagnostics;
using Meshwork.Documents;

namespace Meshwork.Model;

/// <summary>Where a policy applies, from where its file lives: <c>policies/</c>, a domain folder, or a product folder.</summary>
public enum PolicyScope
{
    Global,
    Domain,
    Product,
}

/// <summary>
/// A policy file (<c>*.policy.yaml</c>) as parsed, with the positions of its nodes; the governance layer reads
/// its kind, targets and CEL conditions. <see cref="ScopeKey"/> is the domain name or the product key.
/// </summary>
public sealed record PolicyFile(string Name, string File, JsonElement Document, SourceLocation Location)
{
    public PolicyScope Scope { get; init; } = PolicyScope.Global;

    public string? ScopeKey { get; init; }

    /// <summary>Positions of the document's nodes by JSON Pointer.</summary>
    public SourceMap? Map { get; init; }

    public SourceLocation Locate(string pointer) => Map?.Locate(pointer) ?? Location;
}
