using CompositeGateway.Content;
using CompositeGateway.Ipld;
using CompositeGateway.KuboRpc.Wire;

namespace CompositeGateway.KuboRpc.Commands;

/// <summary>
/// <c>dag/put</c> (Kubo core/commands/dag/put.go): each file part is one object in <c>input-codec</c> (default
/// dag-json), stored as one block in <c>store-codec</c> (default dag-cbor) hashed with <c>hash</c> (default
/// sha2-256), CIDv1. Transcodes dag-json, dag-cbor and raw among themselves (raw only to raw). Blocks go through
/// the same CAR import into every healthy undercluster as <c>block/put</c>; the answer, one
/// <c>{"Cid":{"/":"…"}}</c> per object, is written only after every import (and pin) succeeded, so any failure
/// is a plain Kubo error and nothing is claimed.
/// </summary>
internal static class DagPutCommand
{
    private const string DataArgument = "object data";

    public static KuboCommand Definition { get; } = UploadRequests.BlockCommand(
        "dag/put",
        [
            new KuboOption("input-codec", KuboOptionKind.String),
            new KuboOption("store-codec", KuboOptionKind.String),
            new KuboOption("hash", KuboOptionKind.String),
        ],
        HandleAsync);

    private static async Task HandleAsync(KuboCall call)
    {
        if (!TryParse(call, out var input, out var store, out var prefix, out var invalid))
        {
            await call.FailAsync(invalid);
            return;
        }

        if (await UploadRequests.OpenPartsAsync(call, DataArgument) is not { } parts)
        {
            return;
        }

        var result = await PutAllAsync(call, parts, input, store, prefix);
        if (result.Failure is { } failure)
        {
            await call.FailAsync(failure);
            return;
        }

        using var answer = new KuboStreamWriter(call.Http);
        foreach (var cid in result.Cids!)
        {
            await answer.WriteValueAsync(new DagPutOutput(new DagLink(cid.ToString())), KuboJsonContext.Wire.DagPutOutput, call.Aborted);
        }
    }

    private static bool TryParse(KuboCall call, out ulong input, out ulong store, out BlockPrefix prefix, out KuboFailure failure)
    {
        input = store = 0;
        prefix = null!;
        failure = null!;
        var hashName = call.Text("hash") is { Length: > 0 } h ? h : "sha2-256";
        string? error = null;
        if (!KuboNames.TryCodec(call.Text("input-codec") ?? "dag-json", out input, out error)
            || !KuboNames.TryCodec(call.Text("store-codec") ?? "dag-cbor", out store, out error)
            || !KuboNames.TryCodec(hashName, out var hash, out error))
        {
            failure = KuboFailure.Normal(error!);
            return false;
        }

        // Kubo's multicodec.LookupDecoder / LookupEncoder text for codecs without a registered codec.
        if (input is not (Multicodec.DagJson or Multicodec.DagCbor or Multicodec.Raw))
        {
            failure = KuboFailure.Normal(NoCodec("decoder", input));
            return false;
        }

        if (store is not (Multicodec.DagJson or Multicodec.DagCbor or Multicodec.Raw))
        {
            failure = KuboFailure.Normal(NoCodec("encoder", store));
            return false;
        }

        if (!BlockPrefix.TryCreate(1, store, hash, hashName, -1, out var made, out error))
        {
            failure = KuboFailure.Normal(error);
            return false;
        }

        prefix = made;
        return true;

        static string NoCodec(string kind, ulong code) => $"no {kind} registered for multicodec code {code} (0x{code:x})";
    }

    private static async Task<(KuboFailure? Failure, List<Cid>? Cids)> PutAllAsync(KuboCall call, MultipartParts parts, ulong input, ulong store, BlockPrefix prefix)
    {
        var allowBig = call.Flag("allow-big-block", defaultValue: false);
        var token = call.Aborted;
        var cids = new List<Cid>();
        CarFanOut? car = null;
        try
        {
            while (await parts.NextAsync(BlockPrefix.HardBlockLimit, token) is { } part)
            {
                if (part.IsDirectory)
                {
                    return (KuboFailure.Normal("expected a regular file"), null);
                }

                if (part.TooLarge)
                {
                    return (KuboFailure.Normal(BlockPrefix.OverHardLimit), null);
                }

                byte[] block;
                try
                {
                    block = Transcode(part.Data, input, store);
                }
                catch (IpldFormatException e)
                {
                    return (KuboFailure.Normal(e.Message), null);
                }

                if (!allowBig && block.Length > BlockPrefix.SoftBlockLimit)
                {
                    return (KuboFailure.Normal(BlockPrefix.OverSoftLimit), null);
                }

                if (prefix.Sum(block, out var hashError) is not { } cid)
                {
                    return (KuboFailure.Normal(hashError!), null);
                }

                // Started at the first good object, so bad input never opens an import.
                if (car is null)
                {
                    var targets = call.Service<ContentTargets>().Choose(out var noTarget);
                    if (noTarget is not null)
                    {
                        return (KuboFailure.FromGateway(noTarget), null);
                    }

                    car = CarFanOut.Start(targets, token);
                }

                await car.PutAsync(cid, block, token);
                cids.Add(cid);
            }

            if (car is null)
            {
                return (UploadRequests.ArgumentRequired(DataArgument), null);
            }

            await car.CompleteAsync(token);
        }
        catch (GatewayFailureException e)
        {
            return (KuboFailure.FromGateway(e.Failure), null);
        }
        catch (UploadFormatException e)
        {
            return (KuboFailure.Client(e.Message), null);
        }
        finally
        {
            if (car is not null)
            {
                await car.DisposeAsync();
            }
        }

        if (call.Flag("pin", defaultValue: false) && await UploadRequests.PinAllAsync(call, cids) is { } pinFailure)
        {
            return (pinFailure, null);
        }

        return (null, cids);
    }

    /// <summary>Decodes one object in <paramref name="input"/> and encodes it in <paramref name="store"/>.</summary>
    internal static byte[] Transcode(ReadOnlyMemory<byte> data, ulong input, ulong store)
    {
        if (input == Multicodec.Raw || store == Multicodec.Raw)
        {
            // The raw codec's data model is a single byte string; only raw carries it unchanged.
            return input == store
                ? data.ToArray()
                : throw new IpldFormatException($"cannot transcode {Multicodec.NameOf(input)} to {Multicodec.NameOf(store)}: raw holds only bytes");
        }

        var node = input == Multicodec.DagJson ? DagJson.Decode(data.Span) : DagCbor.Decode(data);
        return store == Multicodec.DagJson ? DagJson.Encode(node) : DagCbor.Encode(node);
    }
}
