namespace CompositeGateway.KuboRpc;

/// <summary>The Kubo RPC API surface (<c>/api/v0/…</c>), mapped onto the Kubo RPC listener's route group.</summary>
internal static class KuboRpcEndpoints
{
    public static IEndpointRouteBuilder MapKuboRpc(this IEndpointRouteBuilder endpoints)
    {
        // Catch-all, so it has the lowest precedence: commands mapped later win, anything else is unknown.
        // Kubo itself answers unknown commands with a plain-text 404; we answer in its JSON error form, which the
        // cluster peer turns into a readable "IPFS error … Message: …" (ipfs-rpc-as-called-by-cluster.md §1.1).
        endpoints.Map("/api/v0/{**command}", UnknownCommandAsync);
        return endpoints;
    }

    private static Task UnknownCommandAsync(HttpContext context) =>
        WriteErrorAsync(context, StatusCodes.Status404NotFound, new KuboError($"unknown command \"{context.Request.Path}\""));

    public static Task WriteErrorAsync(HttpContext context, int status, KuboError error)
    {
        context.Response.StatusCode = status;
        return context.Response.WriteAsJsonAsync(error, KuboJsonContext.Wire.KuboError, cancellationToken: context.RequestAborted);
    }
}
