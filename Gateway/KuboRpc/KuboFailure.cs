using CompositeGateway.Clusters;
using CompositeGateway.Telemetry;

namespace CompositeGateway.KuboRpc;

/// <summary>
/// A Kubo RPC error as a value: HTTP status, go-ipfs-cmds class and message. Written only by
/// <see cref="KuboErrorWriter"/>. Kubo sends HTTP 400 for the client class and 500 for the others.
/// </summary>
internal sealed record KuboFailure(int StatusCode, KuboErrorCode Code, string Message)
{
    /// <summary>
    /// The <c>kind</c> label of <c>gateway_kubo_errors_total</c> (one of <see cref="KuboErrorKinds"/>). By default what
    /// the status says; a command's own <see cref="Normal"/> errors are about its input unless it says otherwise.
    /// </summary>
    public string Kind { get; init; } = StatusCode switch
    {
        StatusCodes.Status403Forbidden or StatusCodes.Status405MethodNotAllowed => KuboErrorKinds.NotAllowed,
        StatusCodes.Status404NotFound => KuboErrorKinds.NotFound,
        _ when Code == KuboErrorCode.Implementation => KuboErrorKinds.Internal,
        _ => KuboErrorKinds.BadArgument,
    };

    /// <summary>
    /// boxo pinner's text, passed through unchanged by Kubo's <c>pin/rm</c>. The Go peer treats exactly this
    /// message as "already unpinned" (docs/protocol/kubo-rpc-as-called-by-cluster.md §4.6); any other wording is an unpin error.
    /// </summary>
    public const string NotPinnedOrPinnedIndirectly = "not pinned or pinned indirectly";

    /// <summary>An error a command returned (Kubo: <c>cmds.ErrNormal</c>, HTTP 500).</summary>
    public static KuboFailure Normal(string message) => new(StatusCodes.Status500InternalServerError, KuboErrorCode.Normal, message);

    /// <summary>A request Kubo refuses while parsing it (bad option value, missing argument): HTTP 400.</summary>
    public static KuboFailure Client(string message) => new(StatusCodes.Status400BadRequest, KuboErrorCode.Client, message);

    /// <summary>
    /// The one mapping from a <see cref="GatewayFailure"/> to Kubo's status and <c>Code</c>. go-ipfs-cmds
    /// (<c>http/responseemitter.go</c>) answers 400 only for <c>ErrClient</c>, which Kubo raises while parsing a
    /// request (<see cref="Client"/>); an error a command's run returns is <c>ErrNormal</c>: HTTP 500, <c>Code 0</c>.
    /// Every kind below happens while running the command, so each is <c>ErrNormal</c>, whatever status the
    /// undercluster answered: the Go peer reads only the message (docs/protocol/kubo-rpc-as-called-by-cluster.md §1.1) and records
    /// <c>Code: &lt;status&gt;</c> in its error text, and Kubo's own "not pinned" answers are 500 too (§4.2, §4.6).
    /// </summary>
    public static KuboFailure FromGateway(GatewayFailure failure) => failure.Kind switch
    {
        // An undercluster call failed (its status, even a 400, is the undercluster's answer to the gateway, not the caller's fault).
        GatewayFailureKind.Undercluster => Normal(failure.Message) with { Kind = KindOf(failure.Cause) },

        // Inception: refused until the topology is fixed; Kubo has no class for "refused", and 403 (ErrForbidden) is about permissions.
        GatewayFailureKind.Refused => Normal(failure.Message) with { Kind = KuboErrorKinds.Inception },

        // Kubo's texts for a CID that is not pinned come from the pinner, as plain errors.
        GatewayFailureKind.NotPinned => Normal(failure.Message) with { Kind = KuboErrorKinds.NotPinned },

        // The composition's verdicts on undercluster answers: pin_error, wait_limit, unreachable_after, several failures.
        _ => Normal(failure.Message) with { Kind = KuboErrorKinds.UnderclusterError },
    };

    private static string KindOf(ClusterFailure? cause) => cause?.Kind switch
    {
        ClusterFailureKind.Connect or ClusterFailureKind.CircuitOpen or ClusterFailureKind.StreamBroken => KuboErrorKinds.Unreachable,
        ClusterFailureKind.Timeout => KuboErrorKinds.Timeout,
        _ => KuboErrorKinds.UnderclusterError,
    };

    /// <summary>
    /// Kubo's <c>pin/ls</c> text for an argument that is not pinned (as that type). The Go peer only checks the
    /// suffix <c>not pinned</c> (docs/protocol/kubo-rpc-as-called-by-cluster.md §4.2); <paramref name="argument"/> is the argument as the caller wrote it, as in Kubo.
    /// </summary>
    public static KuboFailure NotPinned(string argument) => Normal($"path '{argument}' is not pinned") with { Kind = KuboErrorKinds.NotPinned };

    public static KuboFailure UnknownCommand(string path) =>
        new(StatusCodes.Status404NotFound, KuboErrorCode.Client, $"unknown command \"{path}\"");

    /// <summary>go-ipfs-cmds' <c>ErrForbidden</c>, HTTP 403; Kubo's own text is <c>403 - Forbidden</c>, kept as the start.</summary>
    public static KuboFailure Forbidden(string reason) =>
        new(StatusCodes.Status403Forbidden, KuboErrorCode.Forbidden, $"403 - Forbidden: {reason}");

    public static KuboFailure MethodNotAllowed { get; } =
        new(StatusCodes.Status405MethodNotAllowed, KuboErrorCode.Client, "405 - Method Not Allowed");

    /// <summary>An unexpected exception; details go to the log, not to the caller.</summary>
    public static KuboFailure Internal { get; } =
        new(StatusCodes.Status500InternalServerError, KuboErrorCode.Implementation, "internal gateway error (see the gateway log)");
}
