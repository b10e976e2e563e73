namespace Meshwork.Schemas;

/// <summary>
/// How a new version of a schema must relate to the versions registered before it, with the Confluent
/// schema registry's meaning.
/// </summary>
public enum CompatibilityLevel
{
    /// <summary>No check.</summary>
    None,

    /// <summary>The new schema can read data written with the latest previous version.</summary>
    Backward,

    /// <summary>The new schema can read data written with every previous version.</summary>
    BackwardTransitive,

    /// <summary>The latest previous version can read data written with the new schema.</summary>
    Forward,

    /// <summary>Every previous version can read data written with the new schema.</summary>
    ForwardTransitive,

    /// <summary>Both <see cref="Backward"/> and <see cref="Forward"/>.</summary>
    Full,

    /// <summary>Both <see cref="BackwardTransitive"/> and <see cref="ForwardTransitive"/>.</summary>
    FullTransitive,
}
