using System.Security.Claims;
using System.Security.Cryptography;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Meshwork.Platform.Security;

/// <summary>
/// Bearer tokens of the embedded default: JWTs signed (HMAC-SHA256) with a key kept in the data folder, naming
/// a principal of people.yaml and an expiry. Anyone who can read the data folder can mint tokens, which is the
/// same trust as reading the data itself; production deployments validate an OIDC issuer's tokens instead.
/// </summary>
public sealed class TokenService
{
    public const string Issuer = "meshwork";
    public const string Audience = "meshwork";
    public static readonly TimeSpan DefaultLifetime = TimeSpan.FromHours(12);

    private readonly SymmetricSecurityKey _key;
    private readonly TimeProvider _time;

    private TokenService(byte[] key, TimeProvider time)
    {
        _key = new SymmetricSecurityKey(key) { KeyId = Convert.ToHexStringLower(SHA256.HashData(key))[..16] };
        _time = time;
    }

    /// <summary>The signing key from <paramref name="keys"/> (the data folder's by default, created the first time).</summary>
    public static TokenService Open(IKeyProvider keys, string dataFolder, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(keys);
        return new(keys.Key(PlatformKey.TokenSigning, dataFolder), time);
    }

    /// <summary>The signing key from the default <see cref="KeyProvider"/> (environment, secrets folder, else the data folder).</summary>
    public static TokenService Open(string dataFolder, TimeProvider time) => Open(new KeyProvider(), dataFolder, time);

    public SecurityKey SigningKey => _key;

    /// <summary>A token for <paramref name="principal"/>, valid for <paramref name="lifetime"/>.</summary>
    public string Issue(string principal, TimeSpan? lifetime = null)
    {
        var now = _time.GetUtcNow().UtcDateTime;
        return new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = Issuer,
            Audience = Audience,
            Subject = new ClaimsIdentity([new Claim(JwtRegisteredClaimNames.Sub, principal)]),
            IssuedAt = now,
            NotBefore = now,
            Expires = now + (lifetime ?? DefaultLifetime),
            SigningCredentials = new SigningCredentials(_key, SecurityAlgorithms.HmacSha256),
        });
    }

    /// <summary>How the server checks a platform token: signature, issuer, audience and expiry, nothing else trusted.</summary>
    public TokenValidationParameters ValidationParameters() => new()
    {
        ValidIssuer = Issuer,
        ValidAudience = Audience,
        IssuerSigningKey = _key,
        ValidAlgorithms = [SecurityAlgorithms.HmacSha256],
        NameClaimType = JwtRegisteredClaimNames.Sub,
        ClockSkew = TimeSpan.FromSeconds(30),
        LifetimeValidator = (notBefore, expires, _, _) =>
        {
            var now = _time.GetUtcNow().UtcDateTime;
            return (notBefore is null || notBefore <= now.AddSeconds(30)) && expires is { } e && e > now;
        },
    };

    /// <summary>Validates a token outside ASP.NET Core (the CLI, tests); the principal's id, or null.</summary>
    public async Task<string?> ValidateAsync(string token)
    {
        var result = await new JsonWebTokenHandler().ValidateTokenAsync(token, ValidationParameters()).ConfigureAwait(false);
        return result.IsValid ? result.ClaimsIdentity.Name : null;
    }
}
