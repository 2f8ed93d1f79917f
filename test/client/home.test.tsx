import { act, fireEvent, render, screen, waitFor } from '@testing-library/react';
import Index from '../../client/src/pages/index/index';
import { StoryGrid } from '../../client/src/components/StoryGrid';
import campaign from '../../templates/campaign.json';
import { resetJourney } from '../../client/src/services/journey';

describe('StoryGrid', () => {
  it('renders one card per story in campaign order and reports taps', () => {
    const onSelect = jest.fn();
    const { container } = render(<StoryGrid stories={campaign.stories} selectedId='kuai' onSelect={onSelect} />);
    const cards = container.querySelectorAll('.story-card');
    expect(cards).toHaveLength(8);
    expect([...cards].map((c) => c.id)).toEqual(campaign.stories.map((s) => `story-${s.id}`));
    expect(container.querySelector('#story-kuai')!.className).toContain('story-card--selected');
    fireEvent.click(screen.getByText(campaign.stories[2].title));
    expect(onSelect).toHaveBeenCalledWith(campaign.stories[2].id);
  });
});

describe('home page', () => {
  const fetchMock = jest.fn();
  beforeEach(() => {
    fetchMock.mockReset();
    (globalThis as any).fetch = fetchMock;
    resetJourney(); // every test is a fresh app start (the session is memoised per start)
  });

  it('logs in through the HTTP transport and shows the session', async () => {
    fetchMock.mockResolvedValue({ json: async () => ({ ok: true, data: { userId: 'u_1', platform: 'local', isNew: true } }) });
    render(<Index />);
    expect(screen.getByText('正在登录…')).toBeTruthy();
    await waitFor(() => expect(screen.getByText('已登录')).toBeTruthy());
    expect(fetchMock).toHaveBeenCalledWith('/api/fn/login', expect.objectContaining({ method: 'POST', credentials: 'include' }));
    for (const story of campaign.stories) expect(screen.getByText(story.title)).toBeTruthy();
  });

  it('shows the Chinese error when login fails, and selection still works', async () => {
    fetchMock.mockRejectedValue(new TypeError('network down'));
    render(<Index />);
    await waitFor(() => expect(screen.getByText('系统开小差了，请稍后再试。')).toBeTruthy());
    await act(async () => {
      fireEvent.click(screen.getByText(campaign.stories[7].title));
    });
    expect(document.querySelector('#selected-story')!.textContent).toBe(`已选：${campaign.stories[7].title}`);
  });
});
