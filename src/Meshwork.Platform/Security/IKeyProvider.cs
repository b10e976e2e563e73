namespace Meshwork.Platform.Security;

/// <summary>A secret key of the platform, named once for every place it can come from.</summary>
public sealed record PlatformKey(string Name)
{
    /// <summary>Signs platform tokens: every replica must share it to accept every other replica's tokens.</summary>
    public static PlatformKey TokenSigning { get; } = new("token-signing");

    /// <summary>Keys MASK_HASH, so the same value hashes alike in every dataset, on every replica.</summary>
    public static PlatformKey MaskHash { get; } = new("mask-hash");

    /// <summary>
    /// Keys the hashes that stand for erased data subjects (the suppression list, the audit): kept apart from
    /// <see cref="MaskHash"/>, so a masked column a consumer reads never equals a stored subject hash.
    /// </summary>
    public static PlatformKey SubjectHash { get; } = new("subject-hash");

    /// <summary>
    /// Keys the audit chain's HMAC: kept outside the metadata store, so someone who can write the store cannot rewrite
    /// the audit log unseen; every process appending to one store must share it.
    /// </summary>
    public static PlatformKey AuditChain { get; } = new("audit-chain");

    /// <summary>The environment variable that holds it, base64: <c>MESHWORK_TOKEN_SIGNING_KEY</c>.</summary>
    public string EnvironmentVariable => "MESHWORK_" + Name.ToUpperInvariant().Replace('-', '_') + "_KEY";

    /// <summary>Its file name in a secrets folder or in the data folder's <c>keys/</c>.</summary>
    public string FileName => Name + ".key";
}

/// <summary>
/// Where the platform's secret keys come from (a plug-in point, composed in <c>AddMeshwork</c>): the data folder
/// for one process, the environment or a mounted secrets folder for a deployment of several replicas.
/// </summary>
public interface IKeyProvider
{
    /// <summary>The key's bytes (at least 32); throws <see cref="Loading.MeshworkException"/> naming the source when it is unusable.</summary>
    byte[] Key(PlatformKey key, string dataFolder);
}
