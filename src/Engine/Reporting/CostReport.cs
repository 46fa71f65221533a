namespace ModelPrune.Engine.Reporting;

/// <summary>
/// What the pruning saves: the model file before and after, raw and gzip-compressed (the zeros cost bytes on
/// disk but compress well), and the non-zero float parameters. The original's gzip size is of the model as
/// read, with external data inlined, so both sides compress the same kind of file.
/// </summary>
internal sealed record CostReport(
    long BytesBefore,
    long BytesAfter,
    long GzipBytesBefore,
    long GzipBytesAfter,
    long NonZeroParametersBefore,
    long NonZeroParametersAfter);
