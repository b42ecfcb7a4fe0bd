namespace CompositeGateway.Composition;

/// <summary>Answer to <see cref="IPinService.UnpinAsync"/>.</summary>
internal enum UnpinOutcome
{
    /// <summary>This gateway's ownership was removed (and the pin deleted if no owner remained).</summary>
    Unpinned,

    /// <summary>This gateway did not own the CID: Kubo's <c>not pinned or pinned indirectly</c>.</summary>
    NotPinned,

    Failed,
}
