using Meshwork.Diagnostics;
using Meshwork.Model;

namespace Meshwork.Checks;

/// <summary>What a check needs to see.</summary>
public enum CheckScope
{
    /// <summary>Looks inside one document at a time; also runs when a single file is linted alone.</summary>
    Document,

    /// <summary>Resolves references across files; runs only on a whole repository.</summary>
    Mesh,
}

/// <summary>A semantic check over the mesh model. Each reports under the stable rule ids of <see cref="Rules"/>.</summary>
public interface IMeshCheck
{
    CheckScope Scope { get; }

    void Run(Mesh mesh, DiagnosticBag diagnostics);
}
