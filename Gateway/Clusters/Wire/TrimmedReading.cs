using System.Text.Json;

namespace CompositeGateway.Clusters.Wire;

/// <summary>
/// The token steps shared by the trimmed readers (<see cref="ListedPinReader"/>, <see cref="TrimmedStatusReader"/>).
/// A value of the wrong kind (a number where a string belongs) makes the reader throw, which the serializer reports as
/// a <see cref="JsonException"/>: a bad body, never a crash.
/// </summary>
internal static class TrimmedReading
{
    /// <summary>Moves to the next property name of the current object; false at its end.</summary>
    internal static bool NextProperty(ref Utf8JsonReader reader)
    {
        reader.Read();
        return reader.TokenType == JsonTokenType.PropertyName;
    }

    /// <summary>
    /// Skips the current property's value. The serializer hands a converter the whole value, but on a reader that is
    /// not the stream's final block, where <see cref="Utf8JsonReader.Skip"/> refuses to run.
    /// </summary>
    internal static void SkipValue(ref Utf8JsonReader reader)
    {
        if (!reader.Read() || !reader.TrySkip())
        {
            throw new JsonException("an item ends inside a value");
        }
    }

    internal static void Expect(ref Utf8JsonReader reader, JsonTokenType type)
    {
        if (reader.TokenType != type)
        {
            throw new JsonException($"expected {type}, found {reader.TokenType}");
        }
    }

    internal static List<string>? ReadStrings(ref Utf8JsonReader reader)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            return null;
        }

        Expect(ref reader, JsonTokenType.StartArray);
        var list = new List<string>();
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            list.Add(reader.GetString()!);
        }

        return list;
    }

    internal static Dictionary<string, string>? ReadMap(ref Utf8JsonReader reader)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            return null;
        }

        Expect(ref reader, JsonTokenType.StartObject);
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        while (NextProperty(ref reader))
        {
            var key = reader.GetString()!;
            reader.Read();
            map[key] = reader.GetString()!;
        }

        return map;
    }
}
