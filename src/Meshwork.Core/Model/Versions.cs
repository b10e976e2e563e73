using Semver;

namespace Meshwork.Model;

/// <summary>Semantic versions of ports and contracts.</summary>
public static class Versions
{
    /// <summary>Whether <paramref name="version"/> is a strict semantic version (MAJOR.MINOR.PATCH, no leading v).</summary>
    public static bool IsSemver(string? version) =>
        version is not null && SemVersion.TryParse(version, SemVersionStyles.Strict, out _);

    /// <summary>The major version, or null when <paramref name="version"/> is not a semantic version.</summary>
    public static int? Major(string? version) =>
        version is not null && SemVersion.TryParse(version, SemVersionStyles.Strict, out var parsed) && parsed.Major <= int.MaxValue
            ? (int)parsed.Major
            : null;
}
