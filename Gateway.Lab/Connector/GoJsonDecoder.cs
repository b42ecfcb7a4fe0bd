using System.Globalization;
using System.Text.Json;

namespace CompositeGateway.Lab.Connector;

/// <summary>A decode failure as Go's <c>encoding/json</c> would report it (syntax, type mismatch, unexpected EOF).</summary>
internal sealed class GoDecodeException(string message) : Exception(message);

/// <summary>
/// Reads a body the way Go's <c>json.Decoder</c> does (docs/protocol/kubo-rpc-as-called-by-cluster.md §1.1): a sequence of
/// concatenated JSON values, whitespace between them optional; <c>null</c> from <see cref="DecodeAsync"/> is the
/// clean EOF after zero or more values; a value cut short, or a connection that ends without the chunked
/// terminator, is "unexpected EOF". Reads incrementally, so progress values are seen as they arrive.
/// </summary>
internal sealed class GoJsonDecoder(Stream body)
{
    private byte[] _buffer = new byte[4096];
    private int _start;
    private int _end;
    private bool _eof;

    public async Task<JsonElement?> DecodeAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            while (_start < _end && _buffer[_start] is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n')
            {
                _start++;
            }

            if (_start < _end && TryTakeValue(out var value))
            {
                return value;
            }

            if (_eof)
            {
                if (_start < _end)
                {
                    throw new GoDecodeException("unexpected EOF");
                }

                return null;
            }

            await FillAsync(cancellationToken);
        }
    }

    private bool TryTakeValue(out JsonElement value)
    {
        value = default;
        var span = _buffer.AsSpan(_start, _end - _start);
        var reader = new Utf8JsonReader(span, isFinalBlock: _eof, state: default);
        try
        {
            if (!reader.Read() || !reader.TrySkip())
            {
                return false;
            }
        }
        catch (JsonException e)
        {
            throw new GoDecodeException(_eof ? "unexpected EOF" : "invalid character: " + e.Message);
        }

        // A bare top-level number or literal is only complete once something follows it (or EOF).
        var consumed = (int)reader.BytesConsumed;
        if (!_eof && consumed == span.Length && reader.TokenType is JsonTokenType.Number or JsonTokenType.True or JsonTokenType.False or JsonTokenType.Null)
        {
            return false;
        }

        using var document = JsonDocument.Parse(span[..consumed].ToArray());
        value = document.RootElement.Clone();
        _start += consumed;
        return true;
    }

    private async Task FillAsync(CancellationToken cancellationToken)
    {
        if (_start > 0)
        {
            Array.Copy(_buffer, _start, _buffer, 0, _end - _start);
            _end -= _start;
            _start = 0;
        }

        if (_end == _buffer.Length)
        {
            Array.Resize(ref _buffer, _buffer.Length * 2);
        }

        int read;
        try
        {
            read = await body.ReadAsync(_buffer.AsMemory(_end), cancellationToken);
        }
        catch (IOException)
        {
            // .NET's "response ended prematurely": Go's chunked reader reports io.ErrUnexpectedEOF.
            throw new GoDecodeException("unexpected EOF");
        }

        if (read == 0)
        {
            _eof = true;
        }

        _end += read;
    }
}

/// <summary>
/// Field access with Go's decoding rules for a struct target: names matched exactly first, then
/// case-insensitively; a missing field or JSON <c>null</c> leaves the zero value; a value of the wrong JSON type
/// (or a number that does not fit the Go type) is an error, as <c>json.Unmarshal</c> reports it.
/// </summary>
internal static class GoJson
{
    public static void RequireObject(JsonElement value, string goType)
    {
        if (value.ValueKind is not (JsonValueKind.Object or JsonValueKind.Null))
        {
            throw new GoDecodeException($"json: cannot unmarshal {Kind(value)} into Go value of type {goType}");
        }
    }

    public static JsonElement? Field(JsonElement obj, string name)
    {
        if (obj.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        JsonElement? folded = null;
        foreach (var property in obj.EnumerateObject())
        {
            if (property.Name == name)
            {
                return property.Value;
            }

            if (folded is null && string.Equals(property.Name, name, StringComparison.OrdinalIgnoreCase))
            {
                folded = property.Value;
            }
        }

        return folded;
    }

    public static string String(JsonElement obj, string name, string goStruct)
    {
        var value = Field(obj, name);
        if (value is null || value.Value.ValueKind == JsonValueKind.Null)
        {
            return "";
        }

        return value.Value.ValueKind == JsonValueKind.String
            ? value.Value.GetString()!
            : throw TypeError(value.Value, goStruct, name, "string");
    }

    public static long Int(JsonElement obj, string name, string goStruct)
    {
        var value = Field(obj, name);
        if (value is null || value.Value.ValueKind == JsonValueKind.Null)
        {
            return 0;
        }

        if (value.Value.ValueKind == JsonValueKind.Number
            && long.TryParse(value.Value.GetRawText(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var result))
        {
            return result;
        }

        throw TypeError(value.Value, goStruct, name, "int");
    }

    public static ulong Uint64(JsonElement obj, string name, string goStruct)
    {
        var value = Field(obj, name);
        if (value is null || value.Value.ValueKind == JsonValueKind.Null)
        {
            return 0;
        }

        if (value.Value.ValueKind == JsonValueKind.Number
            && ulong.TryParse(value.Value.GetRawText(), NumberStyles.None, CultureInfo.InvariantCulture, out var result))
        {
            return result;
        }

        throw TypeError(value.Value, goStruct, name, "uint64");
    }

    public static IReadOnlyList<string> Strings(JsonElement obj, string name, string goStruct)
    {
        var value = Field(obj, name);
        if (value is null || value.Value.ValueKind == JsonValueKind.Null)
        {
            return [];
        }

        if (value.Value.ValueKind != JsonValueKind.Array)
        {
            throw TypeError(value.Value, goStruct, name, "[]string");
        }

        var list = new List<string>();
        foreach (var item in value.Value.EnumerateArray())
        {
            list.Add(item.ValueKind switch
            {
                JsonValueKind.String => item.GetString()!,
                JsonValueKind.Null => "",
                _ => throw TypeError(item, goStruct, name, "string"),
            });
        }

        return list;
    }

    public static GoDecodeException TypeError(JsonElement value, string goStruct, string field, string goType) =>
        new($"json: cannot unmarshal {Kind(value)} into Go struct field {goStruct}.{field} of type {goType}");

    private static string Kind(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Number => "number " + value.GetRawText(),
        JsonValueKind.String => "string",
        JsonValueKind.Array => "array",
        JsonValueKind.Object => "object",
        _ => "bool",
    };
}
