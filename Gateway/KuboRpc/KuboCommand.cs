namespace CompositeGateway.KuboRpc;

/// <summary>A positional argument of a command (go-ipfs-cmds <c>StringArg</c>): Kubo's name, used in its error texts.</summary>
internal sealed record KuboArgument(string Name, bool Required, bool Variadic = false);

internal enum KuboOptionKind
{
    Bool,
    String,
    Int,
}

/// <summary>An option of a command, with Kubo's short alias if it has one (e.g. <c>s</c> for <c>stream</c>).</summary>
internal sealed record KuboOption(string Name, KuboOptionKind Kind, string? Alias = null);

internal delegate Task KuboHandler(KuboCall call);

/// <summary>One Kubo RPC command the gateway answers: its path under <c>/api/v0/</c>, arguments, options and handler.</summary>
internal sealed record KuboCommand(string Path, IReadOnlyList<KuboArgument> Arguments, IReadOnlyList<KuboOption> Options, KuboHandler Handler);
