// @vitest-environment jsdom
import { act, cleanup, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ResetPrompt } from '../../renderer/components/ResetPrompt.js';

afterEach(() => {
  cleanup();
  vi.useRealTimers();
});

describe('manual reset prompt', () => {
  it('shows what to press in order and counts down to when Flashback stops listening', () => {
    vi.useFakeTimers();
    const start = Date.now();
    render(
      <ResetPrompt
        prompt={{
          kind: 'manual-reset',
          title: 'Put the board on /dev/ttyUSB0 into its bootloader now',
          steps: ['Press and hold FLASH.', 'Tap RST.', 'Release FLASH.'],
          until: start + 30_000,
        }}
      />,
    );
    expect(screen.getByRole('alert', { name: 'Action needed on the board' })).toBeTruthy();
    expect(screen.getAllByRole('listitem').map((li) => li.textContent)).toEqual([
      'Press and hold FLASH.',
      'Tap RST.',
      'Release FLASH.',
    ]);
    expect(screen.getByText('Listening for the board: 30 s left')).toBeTruthy();
    act(() => void vi.advanceTimersByTime(10_000));
    expect(screen.getByText('Listening for the board: 20 s left')).toBeTruthy();
    act(() => void vi.advanceTimersByTime(21_000));
    expect(screen.getByText(/Time is up/)).toBeTruthy();
  });
});
