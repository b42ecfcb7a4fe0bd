namespace CompositeGateway.Underclusters;

/// <summary>What the last health probe of an undercluster said.</summary>
internal enum UnderclusterState
{
    /// <summary>Not probed yet.</summary>
    Unknown,

    /// <summary>The last probe got a 200 with a peer id.</summary>
    Up,

    /// <summary>The last probe failed (connect, timeout, HTTP status, bad body).</summary>
    Down,

    /// <summary>
    /// The undercluster answers, but a peer of it uses this gateway as its IPFS daemon (see
    /// <see cref="InceptionCheck"/>): calls through it would loop back here, so they are refused.
    /// </summary>
    Inception,
}
