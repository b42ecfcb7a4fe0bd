using System.Text;

namespace CompositeGateway.Underclusters;

/// <summary>A <see cref="TopologyReport"/> as indented text for a terminal, or as a Mermaid flowchart for docs and issues.</summary>
internal static class TopologyRenderer
{
    public static string Text(TopologyReport report)
    {
        var text = new StringBuilder();
        text.Append("gateway ").Append(report.GatewayPeerId ?? "(peer ID unknown: no identity file yet)").Append(" (").Append(report.AgentVersion).AppendLine(")");
        if (report.Underclusters.Count == 0)
        {
            text.AppendLine("  no underclusters configured");
        }

        foreach (var u in report.Underclusters)
        {
            text.Append("  undercluster ").Append(u.Name).Append(' ').Append(u.Url).Append(": ").Append(u.Status);
            if (u.Error is { } error)
            {
                text.Append(" (").Append(error).Append(')');
            }

            if (u.Loop)
            {
                text.Append(" LOOP: inception, this gateway is an IPFS daemon of this undercluster");
            }

            text.AppendLine();
            if (u.PeersError is { } peersError)
            {
                text.Append("    peers: ").AppendLine(peersError);
            }

            foreach (var p in u.Peers ?? [])
            {
                text.Append("    peer ").Append(p.Id);
                if (p.Peername is { } name)
                {
                    text.Append(" (").Append(name).Append(')');
                }

                text.Append(" ipfs ").Append(p.IpfsId ?? "?").Append(": ").Append(Describe(p.Daemon));
                if (p.IpfsError is { } ipfsError)
                {
                    text.Append(" (").Append(ipfsError).Append(')');
                }

                text.AppendLine();
            }

            if (u.IpfsApi is { } d)
            {
                text.Append("    ipfs_api ").Append(d.Url).Append(": ").Append(Describe(d.Kind));
                if (d.Id is { } id)
                {
                    text.Append(' ').Append(id);
                }

                if (d.AgentVersion is { } agent)
                {
                    text.Append(" [").Append(agent).Append(']');
                }

                if (d.Error is { } daemonError)
                {
                    text.Append(" (").Append(daemonError).Append(')');
                }

                text.AppendLine();
                if (d.Note is { } note)
                {
                    text.Append("      note: ").AppendLine(note);
                }
            }
        }

        if (report.Note is { } reportNote)
        {
            text.Append("note: ").AppendLine(reportNote);
        }

        return text.ToString();
    }

    /// <summary>A <c>flowchart TD</c>: gateway → underclusters → peers → daemons; loops drawn back to the gateway, dashed.</summary>
    public static string Mermaid(TopologyReport report)
    {
        var text = new StringBuilder("flowchart TD\n");
        text.Append("  gw[\"gateway ").Append(Label(Short(report.GatewayPeerId) ?? "this")).Append("\"]\n");
        for (var i = 0; i < report.Underclusters.Count; i++)
        {
            var u = report.Underclusters[i];
            var node = $"u{i}";
            var state = u.Status == TopologyStatus.Reachable ? "" : "<br/>" + Label(u.Status);
            text.Append("  ").Append(node).Append("[(\"").Append(Label(u.Name)).Append("<br/>").Append(Label(u.Url)).Append(state).Append("\")]\n");
            text.Append("  gw --> ").Append(node).Append('\n');
            if (u.Status != TopologyStatus.Reachable)
            {
                text.Append("  class ").Append(node).Append(" unreachable\n");
            }

            var peers = u.Peers ?? [];
            for (var j = 0; j < peers.Count; j++)
            {
                var p = peers[j];
                var peer = $"{node}p{j}";
                text.Append("  ").Append(peer).Append("[\"").Append(Label(p.Peername ?? Short(p.Id)!)).Append("\"]\n");
                text.Append("  ").Append(node).Append(" --> ").Append(peer).Append('\n');
                switch (p.Daemon)
                {
                    case TopologyDaemonKind.ThisGateway:
                        text.Append("  ").Append(peer).Append(" -. \"LOOP (inception)\" .-> gw\n");
                        text.Append("  class ").Append(peer).Append(" loop\n");
                        break;
                    case TopologyDaemonKind.Gateway:
                        text.Append("  ").Append(peer).Append(" --> ").Append(peer).Append("d[\"gateway ").Append(Label(Short(p.IpfsId) ?? "?")).Append("\"]\n");
                        break;
                    default:
                        break;
                }
            }

            if (u.IpfsApi is { } d)
            {
                var daemon = $"{node}d";
                var what = d.Kind switch
                {
                    TopologyDaemonKind.ThisGateway => "this gateway (LOOP)",
                    TopologyDaemonKind.Gateway => "gateway " + (Short(d.Id) ?? ""),
                    TopologyDaemonKind.Ipfs => "ipfs " + (Short(d.Id) ?? ""),
                    _ => "unreachable",
                };
                text.Append("  ").Append(daemon).Append("{{\"ipfs_api ").Append(Label(d.Url)).Append("<br/>").Append(Label(what)).Append("\"}}\n");
                text.Append("  ").Append(node).Append(" -.- ").Append(daemon).Append('\n');
            }
        }

        text.Append("  classDef loop stroke:#d00,stroke-width:3px\n");
        text.Append("  classDef unreachable stroke-dasharray:4 4,color:#888\n");
        return text.ToString();
    }

    private static string Describe(string kind) => kind switch
    {
        TopologyDaemonKind.ThisGateway => "THIS GATEWAY (loop: inception)",
        TopologyDaemonKind.Gateway => "a gateway",
        TopologyDaemonKind.Ipfs => "an IPFS daemon",
        TopologyDaemonKind.Unreachable => "unreachable",
        _ => "unknown",
    };

    // Peer IDs are 52 characters; a picture only needs them told apart.
    private static string? Short(string? id) => id is { Length: > 16 } ? id[..8] + "…" + id[^6..] : id;

    // Mermaid labels are quoted strings: a double quote would end them, and # starts an entity.
    private static string Label(string text) => text.Replace("\"", "#quot;", StringComparison.Ordinal);
}
