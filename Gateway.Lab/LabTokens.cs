using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace CompositeGateway.Lab;

/// <summary>
/// The JWTs one emulated cluster issues on <c>POST /token</c>. As ipfs-cluster, by default a token carries only <c>iss</c>
/// and never expires (docs/protocol/cluster-rest.md §1.1). Lab only: with <see cref="EmulatedClusterOptions.TokenLifetime"/>
/// it also carries <c>iat</c>, <c>exp</c> and a <c>jti</c> sequence number, so a test can watch a client renew its token
/// mid-run, and <see cref="RevokeAll"/> makes every token issued so far fail with 401 (as a password change would).
/// </summary>
internal sealed class LabTokens(TimeSpan? lifetime)
{
    private long _issued;
    private long _validFrom;

    /// <summary>Tokens issued so far.</summary>
    public long Issued => Interlocked.Read(ref _issued);

    public TimeSpan? Lifetime => lifetime;

    /// <summary>Every token issued, oldest first: lets a test search a client's output for them.</summary>
    public IReadOnlyCollection<string> IssuedTokens => [.. _tokens];

    private readonly System.Collections.Concurrent.ConcurrentQueue<string> _tokens = new();

    public string Issue(string user, string password, DateTimeOffset now)
    {
        var id = Interlocked.Increment(ref _issued);
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("iss", user);
            if (lifetime is { } life)
            {
                var seconds = now.ToUnixTimeSeconds();
                json.WriteNumber("iat", seconds);
                json.WriteNumber("exp", seconds + Math.Max(1, (long)Math.Ceiling(life.TotalSeconds)));
            }

            // Only once tokens can expire or have been revoked: until then the token is ipfs-cluster's, iss alone.
            if (lifetime is not null || Interlocked.Read(ref _validFrom) != 0)
            {
                json.WriteString("jti", id.ToString(System.Globalization.CultureInfo.InvariantCulture));
            }

            json.WriteEndObject();
        }

        var header = LabAuth.Base64Url("""{"alg":"HS256","typ":"JWT"}"""u8);
        var payload = LabAuth.Base64Url(buffer.ToArray());
        var signature = LabAuth.Base64Url(HMACSHA256.HashData(Encoding.UTF8.GetBytes(password), Encoding.ASCII.GetBytes(header + "." + payload)));
        var token = header + "." + payload + "." + signature;
        _tokens.Enqueue(token);
        return token;
    }

    /// <summary>Every token issued until now is refused from now on.</summary>
    public void RevokeAll() => Interlocked.Exchange(ref _validFrom, Issued + 1);

    /// <summary>Whether a token with this <c>jti</c> (null: none) was revoked.</summary>
    public bool IsRevoked(string? jti)
    {
        var validFrom = Interlocked.Read(ref _validFrom);
        return validFrom != 0 && (jti is null || !long.TryParse(jti, System.Globalization.CultureInfo.InvariantCulture, out var id) || id < validFrom);
    }
}
