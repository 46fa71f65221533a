namespace ModelPrune.Engine.Reporting;

/// <summary>
/// What the pruning saves: the model file before and after, raw and gzip-compressed (the zeros cost bytes on
/// disk but compress well), and the non-zero float parameters. The original's gzip size is of the model as
/// read, with external data inlined, so both sides compress the same kind of file.
/// </summary>
/// <param name="GzipEstimated">
/// True when either gzip size is an estimate from sampled blocks (a file past 16 MiB, see <c>GzipBlocks</c>), within
/// about half a percent; absent when both are exact.
/// </param>
internal sealed record CostReport(
    long BytesBefore,
    long BytesAfter,
    long GzipBytesBefore,
    long GzipBytesAfter,
    long NonZeroParametersBefore,
    long NonZeroParametersAfter,
    bool? GzipEstimated = null);
