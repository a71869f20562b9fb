import type { EndedSession } from "@/lib/server/sessions/session-endings";
import { describeUserAgent, timeAgo } from "./device-description";
import { describeHowSessionEnded } from "./session-ending-description";

function When({ date, now }: { date: Date; now: Date }) {
  return (
    <time dateTime={date.toISOString()} title={date.toUTCString()}>
      {timeAgo(date, now)}
    </time>
  );
}

/** The user's recently ended sessions: which device, when it signed in and ended, and how it ended. */
export function EndedSessionList({
  sessions,
  currentSessionId,
}: {
  sessions: EndedSession[];
  currentSessionId: string;
}) {
  const now = new Date();
  return (
    <ul className="devices" data-testid="ended-sessions">
      {sessions.map((session) => (
        <li key={session.id} data-testid="ended-session" data-session-id={session.id}>
          <div>
            <strong>{describeUserAgent(session.userAgent)}</strong>
            <br />
            <span className="muted">
              signed in <When date={session.authenticatedAt} now={now} />, ended{" "}
              <When date={session.ending.endedAt} now={now} />:{" "}
              <span data-testid="how-it-ended">{describeHowSessionEnded(session.ending, currentSessionId)}</span>
            </span>
          </div>
        </li>
      ))}
    </ul>
  );
}
