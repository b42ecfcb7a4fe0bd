namespace CompositeGateway.KuboRpc;

/// <summary>
/// Where a command the gateway does not answer itself goes (an undercluster's IPFS daemon, docs/forwarding.md). The
/// Kubo surface knows only this seam, so forwarding depends on the Kubo surface and never the other way round.
/// </summary>
internal interface IUnansweredCommands
{
    /// <summary>Answers the request for <paramref name="path"/> (the part after <c>/api/v0/</c>); returns its metric label.</summary>
    Task<string> AnswerAsync(HttpContext http, string path);

    /// <summary>Whether <paramref name="path"/> is one this seam forwards (not refused or unknown here): such a request may skip endpoint routing.</summary>
    bool Forwards(string path);
}
