import { type Server, createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { buyNumber } from "./numbers.js";
import type { Walk } from "./walk.js";

/** The app's voice webhook: answers every TwiML fetch with a greeting and a transcribed recording. */
async function twimlApp(): Promise<{ url: string; server: Server }> {
  const server = createServer((_req, res) => {
    res.writeHead(200, { "content-type": "text/xml" });
    res.end(
      '<?xml version="1.0" encoding="UTF-8"?><Response><Say>Thanks for calling Jane\'s Bakery.</Say>' +
        '<Record maxLength="10" transcribe="true"/><Hangup/></Response>',
    );
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/voice`, server };
}

export const voiceWalks: Walk[] = [
  {
    name: "Calls: placed, fetched, listed and hung up; their recordings and transcriptions",
    operations: [
      "CreateCall",
      "FetchCall",
      "ListCall",
      "UpdateCall",
      "ListRecording",
      "FetchRecording",
      "ListCallRecording",
      "FetchCallRecording",
      "ListRecordingTranscription",
      "ListTranscription",
      "FetchTranscription",
    ],
    async run({ tenant, em }) {
      const app = await twimlApp();
      try {
        const number = await buyNumber(tenant);
        const calls = tenant.api.v2010.account.calls;
        const call = await calls.create({
          from: number.phoneNumber,
          to: "+14155550140",
          url: app.url,
          statusCallback: "https://subtext.example/twilio/voice/status",
        });
        await calls(call.sid).fetch();
        await em.advance(120);
        await calls(call.sid).fetch();
        await calls.list({ limit: 20 });
        await calls.list({ to: "+14155550140", limit: 5 });
        const ringing = await calls.create({ from: number.phoneNumber, to: "+14155550141", url: app.url });
        await calls(ringing.sid).update({ status: "completed" });

        const recordings = tenant.api.v2010.account.recordings;
        const [recording] = await recordings.list({ callSid: call.sid });
        await recordings(recording.sid).fetch();
        await calls(call.sid).recordings.list();
        await calls(call.sid).recordings(recording.sid).fetch();
        await recordings(recording.sid).transcriptions.list();
        const [transcription] = await tenant.api.v2010.account.transcriptions.list({ limit: 20 });
        await tenant.api.v2010.account.transcriptions(transcription.sid).fetch();
      } finally {
        app.server.close();
      }
    },
  },
];
