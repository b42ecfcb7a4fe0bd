using System.Text;
using CompositeGateway.Ipld;

namespace CompositeGateway.Tests.KuboRpc;

/// <summary>Deterministic CIDs for tests: v0 (dag-pb, Qm…) and v1 (raw, bafk…).</summary>
internal static class TestCids
{
    public static Cid V0(string seed) => Cid.Hash(0, Multicodec.DagPb, Encoding.UTF8.GetBytes(seed));

    public static Cid V1(string seed) => Cid.Hash(1, Multicodec.Raw, Encoding.UTF8.GetBytes(seed));

    public static Cid V1DagPb(string seed) => Cid.Hash(1, Multicodec.DagPb, Encoding.UTF8.GetBytes(seed));
}
