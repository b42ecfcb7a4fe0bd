using System.Text;

namespace CompositeGateway.Tests.Functional;

/// <summary>One generated request: bytes for a raw socket, and whether an answer may be missing (HTTP allows none).</summary>
internal sealed record BadRequest(string Kind, byte[] Bytes, bool MayClose);

/// <summary>
/// Seeded generator of bad requests for <see cref="RandomizedBadInputTests"/>: random and malformed paths under
/// <c>/api/v0</c>, methods, arguments (garbage, huge, unicode, percent-encoded, repeated), query strings up to 1 MiB,
/// huge and malformed headers, multipart garbage and truncated <c>add</c>/<c>block/put</c>/<c>dag/put</c> bodies,
/// wrong content lengths. The same seed gives the same requests.
/// </summary>
internal sealed class BadInputGenerator(int seed)
{
    private static readonly string[] Commands =
    [
        "pin/add", "pin/ls", "pin/rm", "pin/update", "id", "version", "repo/stat", "add", "block/put", "dag/put",
        "cat", "block/get", "block/stat", "dag/get", "swarm/peers", "pin", "pin/", "", "config/show", "shutdown",
    ];

    private static readonly string[] Options = ["arg", "recursive", "progress", "stream", "type", "unpin", "cid-version", "quieter", "pin", "format", "mhtype", "timeout"];

    private static readonly string[] Methods = ["POST", "POST", "POST", "POST", "POST", "POST", "GET", "PUT", "DELETE", "PATCH", "OPTIONS", "post", "Post", "FOO", "CONNECT", "TRACE"];

    private readonly Random _random = new(seed);

    public BadRequest Next()
    {
        var roll = _random.Next(100);
        return roll switch
        {
            < 50 => Ordinary(),
            < 60 => HugeQuery(),
            < 68 => HugeOrOddHeaders(),
            < 80 => MultipartGarbage(),
            < 88 => WrongLength(),
            _ => MalformedHttp(),
        };
    }

    private BadRequest Ordinary()
    {
        var method = Pick(Methods);
        var body = method is "POST" or "PUT" or "PATCH" && _random.Next(4) == 0 ? RandomBytes(_random.Next(0, 2048)) : [];
        var head = $"{method} {Path()}?{Query(_random.Next(0, 8))} HTTP/1.1\r\nHost: gateway\r\nContent-Length: {body.Length}\r\n{RandomHeaders(_random.Next(0, 4))}\r\n";
        return new BadRequest("ordinary", Concat(Latin1(head), body), MayClose: method is "CONNECT");
    }

    private BadRequest HugeQuery()
    {
        var length = _random.Next(10) == 0 ? _random.Next(500_000, 1_040_000) : _random.Next(8_000, 100_000);
        var query = new StringBuilder(length + 64);
        while (query.Length < length)
        {
            query.Append(query.Length == 0 ? "" : "&").Append(Pick(Options)).Append('=').Append(Argument(_random.Next(1, 20_000)));
        }

        var head = $"POST {Path()}?{query} HTTP/1.1\r\nHost: gateway\r\nContent-Length: 0\r\n\r\n";
        return new BadRequest("huge-query", Latin1(head), MayClose: false);
    }

    private BadRequest HugeOrOddHeaders()
    {
        var headers = new StringBuilder();
        switch (_random.Next(5))
        {
            case 0:
                headers.Append("X-Huge: ").Append('h', _random.Next(10_000, 900_000)).Append("\r\n");
                break;
            case 1:
                for (var i = _random.Next(100, 3000); i > 0; i--)
                {
                    headers.Append("X-Many-").Append(i).Append(": v\r\n");
                }

                break;
            case 2:
                headers.Append("X-Latin: caf\u00e9\u00ff\u0080\r\n");
                break;
            case 3:
                headers.Append("X-N\u00e4me: x\r\n");
                break;
            default:
                headers.Append("Content-Type: ").Append(Argument(200)).Append("\r\nOrigin: ").Append(Argument(50)).Append("\r\nReferer: ").Append(Argument(50)).Append("\r\n");
                break;
        }

        var head = $"POST {Path()}?{Query(2)} HTTP/1.1\r\nHost: gateway\r\nContent-Length: 0\r\n{headers}\r\n";
        return new BadRequest("headers", Latin1(head), MayClose: false);
    }

    private BadRequest MultipartGarbage()
    {
        var command = Pick(["add", "block/put", "dag/put", "add", "block/put"]);
        var boundary = _random.Next(3) == 0 ? Argument(30) : "b" + _random.Next();
        var body = new StringBuilder();
        var parts = _random.Next(0, 4);
        for (var i = 0; i < parts; i++)
        {
            body.Append("--").Append(boundary).Append("\r\n");
            if (_random.Next(2) == 0)
            {
                body.Append("Content-Disposition: form-data; name=\"file\"; filename=\"").Append(Argument(20)).Append("\"\r\n");
            }

            body.Append("Content-Type: ").Append(Pick(["application/octet-stream", "application/x-directory", "text/plain", Argument(10)])).Append("\r\n\r\n");
            body.Append(Latin1String(RandomBytes(_random.Next(0, 4096)))).Append("\r\n");
        }

        if (_random.Next(2) == 0)
        {
            body.Append("--").Append(boundary).Append("--\r\n");
        }

        var bytes = Latin1(body.ToString());
        // Truncated: the declared length is kept but the body is cut, and the client then half-closes.
        var truncated = _random.Next(3) == 0 && bytes.Length > 10;
        var sent = truncated ? bytes[..(bytes.Length / 2)] : bytes;
        var head = $"POST /api/v0/{command}?{Query(_random.Next(0, 3))} HTTP/1.1\r\nHost: gateway\r\n"
            + $"Content-Type: multipart/form-data; boundary={boundary}\r\nContent-Length: {bytes.Length}\r\n\r\n";
        return new BadRequest(truncated ? "truncated-upload" : "multipart", Concat(Latin1(head), sent), MayClose: truncated);
    }

    private BadRequest WrongLength()
    {
        var body = RandomBytes(_random.Next(0, 512));
        var declared = _random.Next(3) switch
        {
            0 => (body.Length + _random.Next(1, 10_000)).ToString(System.Globalization.CultureInfo.InvariantCulture),
            1 => "-" + _random.Next(1, 100),
            _ => Pick(["abc", "1e3", "0x10", "99999999999999999999", "5, 6", ""]),
        };
        var head = $"POST {Path()}?{Query(1)} HTTP/1.1\r\nHost: gateway\r\nContent-Length: {declared}\r\n\r\n";
        return new BadRequest("wrong-length", Concat(Latin1(head), body), MayClose: true);
    }

    private BadRequest MalformedHttp()
    {
        var text = _random.Next(8) switch
        {
            0 => $"POST {Path()} HTTP/2.0\r\nHost: x\r\nContent-Length: 0\r\n\r\n",
            1 => $"POST {Path()}\r\n\r\n",
            2 => Latin1String(RandomBytes(_random.Next(1, 300))) + "\r\n\r\n",
            3 => $"POST {Path()} HTTP/1.1\r\nHost: x\r\nno colon here\r\n\r\n",
            4 => $"POST {Path()} HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n",
            5 => $"POST {Path()} HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n",
            6 => $"POST {Path()} HTTP/1.0\r\nHost: x\r\n\r\n",
            _ => $"POST {Path()} HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab",
        };
        return new BadRequest("malformed-http", Latin1(text), MayClose: true);
    }

    private string Path()
    {
        var command = _random.Next(4) switch
        {
            0 => Argument(_random.Next(1, 40)),
            1 => Pick(["%2e%2e//id", "%2E%2E/%2e%2e/x", "../id", "pin//add", "pin/add/", "./id", "%70in/add", "pin%2Fadd", "\u00e9\u00e8", "pin/add;x"]),
            _ => Pick(Commands),
        };
        return "/api/v0/" + command;
    }

    private string Query(int count) =>
        string.Join('&', Enumerable.Range(0, count).Select(_ => Pick(Options) + "=" + Argument(_random.Next(0, 300))));

    private string Argument(int length)
    {
        var builder = new StringBuilder(length);
        while (builder.Length < length)
        {
            builder.Append(_random.Next(10) switch
            {
                0 => "%" + _random.Next(256).ToString("X2", System.Globalization.CultureInfo.InvariantCulture),
                1 => Uri.EscapeDataString(char.ConvertFromUtf32(_random.Next(0xA0, 0x2FFF))),
                2 => Pick(["/ipfs/", "/ipns/", "..", "%00", "%2F", "#", "?", "Qm", "bafy", "+", "%", "%%", "&arg="]),
                _ => (char)_random.Next('0', 'z' + 1) is var c && char.IsLetterOrDigit(c) ? c.ToString() : "z",
            });
        }

        return builder.ToString();
    }

    private string RandomHeaders(int count) =>
        string.Concat(Enumerable.Range(0, count).Select(i => $"X-R{i}: {Argument(_random.Next(0, 200))}\r\n"));

    private byte[] RandomBytes(int length)
    {
        var bytes = new byte[length];
        _random.NextBytes(bytes);
        return bytes;
    }

    private T Pick<T>(IReadOnlyList<T> values) => values[_random.Next(values.Count)];

    private static byte[] Latin1(string text) => Encoding.Latin1.GetBytes(text);

    private static string Latin1String(byte[] bytes) => Encoding.Latin1.GetString(bytes);

    private static byte[] Concat(byte[] a, byte[] b) => [.. a, .. b];
}
