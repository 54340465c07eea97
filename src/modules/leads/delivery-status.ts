// The order a text message's delivery status (lead_messages.status) can move in. Status callbacks
// arrive out of order and repeated; the timeline's owner moves a message forward only
// (LeadsRepository.markDelivery).

/** Delivery statuses in the order they can happen; terminal ones share the top rank. */
export const SMS_STATUS_RANK: Readonly<Record<string, number>> = {
  accepted: 0,
  scheduled: 0,
  queued: 1,
  sending: 2,
  sent: 3,
  receiving: 3,
  received: 4,
  delivered: 4,
  undelivered: 4,
  failed: 4,
  read: 5,
  canceled: 4,
};

export function statusRank(status: string): number | undefined {
  return SMS_STATUS_RANK[status];
}
