using System.Security.Cryptography;
using System.Text;

namespace Meshwork.Engines.Postgres;

/// <summary>
/// A password as PostgreSQL stores it for SCRAM-SHA-256 (RFC 5802, RFC 7677):
/// <c>SCRAM-SHA-256$iterations:salt$StoredKey:ServerKey</c>. Given to <c>CREATE ROLE ... PASSWORD</c>, the server keeps it as
/// is, so the password itself never reaches the server and no statement log can show it.
/// </summary>
internal static class ScramVerifier
{
    public const int Iterations = 4096;

    public static string Create(string password) => Create(password, RandomNumberGenerator.GetBytes(16), Iterations);

    /// <remarks>The password must need no SASLprep (ASCII without controls): the random passwords of read roles are base64.</remarks>
    public static string Create(string password, byte[] salt, int iterations)
    {
        var (storedKey, serverKey) = Keys(password, salt, iterations);
        return $"SCRAM-SHA-256${iterations}:{Convert.ToBase64String(salt)}${Convert.ToBase64String(storedKey)}:{Convert.ToBase64String(serverKey)}";
    }

    /// <summary>StoredKey = H(HMAC(SaltedPassword, "Client Key")), ServerKey = HMAC(SaltedPassword, "Server Key").</summary>
    public static (byte[] StoredKey, byte[] ServerKey) Keys(string password, byte[] salt, int iterations)
    {
        var salted = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), salt, iterations, HashAlgorithmName.SHA256, 32);
        return (SHA256.HashData(HMACSHA256.HashData(salted, "Client Key"u8)), HMACSHA256.HashData(salted, "Server Key"u8));
    }
}
